import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A run whose branches must be spooled to $TMPDIR, where no folder can be made there. `combine:
// concat` failed at its folder before reading any branch, and left every branch blocked on a
// full pipe: more than the pipes hold of input, and the run waited for ever (found by helper f).
// A copy to branches that falls behind (a join reading in step) said `cannot read its input:
// ENOENT: no such file or directory, mkdtemp '/nonexistent/manifold-tee-XXXXXX'`. Now both are
// one line naming the folder and why, the run fails (exit 1), and the input's writer is let go.

/** 6 MB of lines: more than the branches' pipes hold. */
const INPUT = `${'abcdefghij'.repeat(9)}\n`.repeat(66_000);

const notAFolder = () => {
  const file = join(tempDir('manifold-spool-tmpdir-'), 'file');
  writeFileSync(file, '');
  return file;
};

describe.concurrent('branches spooled where no temporary folder can be made', () => {
  const concat = [
    'stages:',
    '  - branches:',
    '      a: [{ run: cat }]',
    '      b: [{ run: "tr a-z A-Z" }]',
    '    combine: concat',
    '',
  ].join('\n');
  const join_ = [
    'stages:',
    '  - name: sets',
    '    branches:',
    '      a: [{ run: "cat | tail -n 1" }]',
    '      b: [{ run: cat }]',
    '    combine: join',
    '    join: [paste, "{a}", "{b}"]',
    '',
  ].join('\n');
  const cases: [string, string, () => string, RegExp][] = [
    [
      'concat, $TMPDIR missing',
      concat,
      () => '/nonexistent-manifold-tmp',
      /^manifold: stage stages\[0\]\.concat \(concat of 2 branches\) cannot spool the branches after the first: cannot make a temporary folder in \/nonexistent-manifold-tmp: no such file or directory \(ENOENT\); set TMPDIR to another folder\n$/,
    ],
    [
      'concat, $TMPDIR a file',
      concat,
      notAFolder,
      /^manifold: stage stages\[0\]\.concat \(concat of 2 branches\) cannot spool the branches after the first: cannot make a temporary folder in \S+: not a directory \(ENOTDIR\); set TMPDIR to another folder\n$/,
    ],
    [
      'a copy that falls behind, $TMPDIR missing',
      join_,
      () => '/nonexistent-manifold-tmp',
      /^manifold: stage sets \(copy to 2 branches\) cannot spool a branch that fell behind: cannot make a temporary folder in \/nonexistent-manifold-tmp: no such file or directory \(ENOENT\); set TMPDIR to another folder\n/,
    ],
  ];
  for (const [name, text, tmpdir, said] of cases) {
    it(`${name}: one line naming it, exit 1, no wait`, async ({ expect }) => {
      const config = writeConfig(tempDir('manifold-spool-tmpdir-'), text);
      const result = await runConfig(config, INPUT, { env: { TMPDIR: tmpdir() } });
      expect(result.stderr).toMatch(said);
      expect(result.exitCode).toBe(1);
    });
  }
});
