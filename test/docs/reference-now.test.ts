import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';

// A reference page says what manifold does now. What it did before a date goes to
// docs/changes.md, grouped by date; performance.md's dated sections are measurements, and stay.
// A note such as "(before 2026-12-0X it was ignored)" in a reference page is found here, with
// its page and line, so that it is moved rather than grown. A source's comment says what the
// code does and why, now: its history is in git and, for users, in docs/changes.md.

const KEPT = new Set(['changes.md', 'performance.md']);
const HISTORY = /\b(?:[Bb]efore|[Uu]ntil|[Ee]arlier on)\s+20\d\d-\d\d-\d\d\b/g;
/**
 * History in a source: a change's date, or the team's session that made it (`Nth session`,
 * `twenty-Nth session`; an SSH connection's first or second session is no history).
 */
const SOURCE_HISTORY =
  /\b(?:[Bb]efore|[Uu]ntil|[Ss]ince|[Ee]arlier on)\s+20\d\d-\d\d-\d\d\b|\b(?:\d+|[a-z]+-[a-z]+)(?:st|nd|rd|th) session\b/g;
const SOURCE_FOLDERS = ['orchestrator', 'filters', 'test', 'bench'];

describe('the reference pages', () => {
  it('carry no "before <date>" notes: those are in docs/changes.md', () => {
    const pages = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((name) => name.endsWith('.md') && !KEPT.has(name))
        .map((name) => `docs/${name}`),
    ];
    const found: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(root, page), 'utf8');
      for (const match of text.matchAll(HISTORY)) {
        const line = text.slice(0, match.index).split('\n').length;
        found.push(`${page}:${line}: ${match[0]}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('docs/changes.md is wrapped as the other pages are, each entry starting at its page', () => {
    const lines = readFileSync(join(root, 'docs/changes.md'), 'utf8').split('\n');
    const long = lines.flatMap((line, i) =>
      line.length > 100 ? [`${i + 1}: ${line.length}`] : [],
    );
    expect(long).toEqual([]);
    // An entry's first line names the page (and section) that says what holds now.
    const entries = lines.filter((line) => line.startsWith('- '));
    expect(entries.length).toBeGreaterThan(0);
    expect(
      entries.filter((line) => !/^- \[[\w.]+\]\((?:\.\.\/)?[\w.]+(?:#[\w-]+)?\)/.test(line)),
    ).toEqual([]);
  });

  it('README links docs/changes.md', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('(docs/changes.md)');
  });
});

describe('the sources', () => {
  it('carry no dated history in their comments: it is in git and docs/changes.md', () => {
    const found: string[] = [];
    for (const folder of SOURCE_FOLDERS) {
      const files = readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' });
      for (const file of files.filter((name) => name.endsWith('.ts'))) {
        const text = readFileSync(join(root, folder, file), 'utf8');
        for (const match of text.matchAll(SOURCE_HISTORY)) {
          const line = text.slice(0, match.index).split('\n').length;
          found.push(`${folder}/${file}:${line}: ${match[0]}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
