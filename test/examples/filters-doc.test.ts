import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// docs/filters.md's smallest filter, saved as upper.mjs, and its sh block run as pasted in a
// project that installed manifold-pipes: a block that reads a file the page never makes fails
// (`names0: No such file or directory`).

const page = readFileSync(join(root, 'docs', 'filters.md'), 'utf8');
const fenced = (lang: string) =>
  [...page.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);

describe('docs/filters.md', () => {
  it('runs the smallest filter as its block says', () => {
    const cwd = tempDir('manifold-filters-doc-');
    mkdirSync(join(cwd, 'node_modules'));
    symlinkSync(root, join(cwd, 'node_modules', 'manifold-pipes'));
    writeFileSync(
      join(cwd, 'upper.mjs'),
      fenced('js').find((block) => block.includes('// upper.mjs'))!,
    );
    const block = fenced('sh').find((b) => b.startsWith('chmod +x upper.mjs'))!;
    const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', block], {
      cwd,
      env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:/usr/bin:/bin` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect([result.status, result.stderr]).toEqual([0, '']);
    const [first, usage, last] = [
      result.stdout.slice(0, 4),
      result.stdout.slice(4, -4),
      result.stdout.slice(-4),
    ];
    expect(first).toBe('A\nB\n');
    expect(usage).toMatch(/^Usage: upper[\s\S]*--split[\s\S]*--join[\s\S]*--max-record/);
    expect(last).toBe('A\nB\n');
  }, 60_000);
});
