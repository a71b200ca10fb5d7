import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// Branches copied from one stream, joined by a command that reads them in step (`paste`): when
// one branch can give nothing until it has taken much input (a fan cuts whole blocks first) and
// the other is behind because the join does not read it yet, the copy must not wait for the one
// behind: the branch behind is spooled to a file. A copy that went as fast as the slowest
// branch would wait for ever once the input passed what the pipes and 4 MiB held: a stress
// run's `paste {a} {b}` of a fan and `cat /dev/stdin` stopped after 4 MB of 30.

const tempDir = () => makeTempDir('manifold-pipe-tee-');

/** 12 MiB of numbered lines of 64 bytes. */
const LINES = Array.from(
  { length: 196_608 },
  (_, i) => `${String(i).padStart(8, '0')} ${'abcdefg'.repeat(7)}${'x'.repeat(6)}\n`,
).join('');

describe('a copy to branches that a join reads in step', () => {
  it.each([
    ['a fan of per-block workers', 'merge: ordered'],
    ['a fan of workers that stay', 'merge: ordered, attribution: one-to-one'],
  ])(
    'paste {a} {b}, a being %s that cuts 8 MiB blocks: every line paired, the spool removed',
    { timeout: 60_000 },
    async (_what, settings) => {
      const dir = tempDir();
      const spools = makeTempDir('manifold-pipe-tee-tmp-');
      const config = writeConfig(
        dir,
        [
          'stages:',
          '  - name: sets',
          '    branches:',
          '      a:',
          `        - fan: { workers: 2, block: 8M, ${settings}, worker: [tr, a-z, A-Z] }`,
          '      b:',
          '        - run: cat /dev/stdin',
          '    combine: join',
          '    join: [paste, "{a}", "{b}"]',
          '',
        ].join('\n'),
      );
      const result = await runConfig(config, LINES, { env: { TMPDIR: spools }, timeout: 50_000 });
      const lines = LINES.split('\n').slice(0, -1);
      const expected = lines.map((line) => `${line.toUpperCase()}\t${line}\n`).join('');
      const got = outcome(result);
      expect({ ...got, stdout: got.stdout.length }).toEqual({
        exitCode: 0,
        stderr: '',
        stdout: expected.length,
      });
      expect(got.stdout === expected, 'the output is the lines paired').toBe(true);
      expect(readdirSync(spools)).toEqual([]);
    },
  );
});
