import { describe, expect, it } from 'vitest';
import { findPlaceholders } from '../../orchestrator/config/placeholders.js';
import { expectProblems } from '../support/check.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A shell-string join's placeholders are read as bash reads the line: `{a}` inside single quotes
// (an awk program, a sed expression) is text, not a branch; inside double quotes it is the
// branch's output, a path as it is outside them. The check counts what the run substitutes.

/** Branches a (as is) and b (upper case) of `x\ny\n`, joined by `join` (YAML). */
const joined = (join: string) =>
  writeConfig(
    tempDir('manifold-join-quoting-'),
    `stages:\n  - branches:\n      a: [{run: cat}]\n      b: [{run: "tr a-z A-Z"}]\n    join: ${join}\n`,
  );

const ok = (stdout: string) => ({ exitCode: 0, stderr: '', stdout });

describe('placeholders of a shell-string join, as bash quotes them', () => {
  it('{print} in an awk program is no placeholder: it was "names no branch", exit 2', async () => {
    const result = await runConfig(joined(`"paste {a} {b} | awk '{print}'"`), 'x\ny\n');
    expect(outcome(result)).toEqual(ok('x\tX\ny\tY\n'));
  });

  it('{a} in single quotes is text, not a second reader: it was "there twice", exit 2', async () => {
    const result = await runConfig(joined(`"paste {a} {b} | sed 's/^/{a}:/'"`), 'x\ny\n');
    expect(outcome(result)).toEqual(ok('{a}:x\tX\n{a}:y\tY\n'));
  });

  it('{a} in double quotes is the branch, as outside them: it was a path not found, exit 1', async () => {
    const result = await runConfig(joined(`'paste -d: "{a}" "/{b}"'`), 'x\ny\n');
    expect(outcome(result)).toEqual(ok('x:X\ny:Y\n'));
  });

  it('a branch only quoted is not used; one unquoted and double-quoted is there twice', async () => {
    await expectProblems(
      [
        'stages:',
        '  - branches: {a: [{run: cat}], b: [{run: cat}]}',
        `    join: "cat {b}; echo '{a}'"`,
        '  - branches: {a: [{run: cat}], b: [{run: cat}]}',
        `    join: 'paste {a} "{a}" {b}'`,
        '',
      ].join('\n'),
      [
        ['"cat', /branch "a" is not used by the join: write \{a\} where its output goes$/],
        ["'paste", /placeholder \{a\} is there twice: /],
      ],
    );
  });
});

describe('findPlaceholders, as bash reads a line', () => {
  it.each([
    ['cat {a} {b}', ['a', 'b']],
    [`awk '{x}' {a}`, ['a']],
    [`echo "{a}" x{b}y`, ['"a', 'b']],
    [`echo \\{a} {b}`, ['b']],
    [`echo $'\\'{a}' {b}`, ['b']],
    [`echo "it's {a}" '{b}'`, ['"a']],
    ['cat {a} # {b}\ncat {b}', ['a', 'b']],
    ['cat x#{a}', ['a']],
  ])('%s', (text, names) => {
    const found = findPlaceholders(text, true).map((p) => `${p.quoted ? '"' : ''}${p.name}`);
    expect(found).toEqual(names);
  });

  it('an array word is text to its program: every {name} in it is one', () => {
    expect(findPlaceholders(`'{a}' "{b}"`, false).map((p) => p.name)).toEqual(['a', 'b']);
  });
});
