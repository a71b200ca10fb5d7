import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, fixture, manifold, run } from '../helpers.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { C } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { fileTempDir } from '../support/temp.js';

// Blocks of a file larger than 16 MiB for workers that stay and count or are told their records
// (--one-to-one, --protocol) are left in the file, as per-block processes' are: their records
// are counted a piece at a time, and the worker's pipe is filled from the file (by the process
// starter's sendfile, or a piece at a time by manifold). Read whole into memory, several at
// once, `--block 64M` on 1 GiB peaked at 445 MB and took 6.2 s against 1.6 s at 32M
// (fan-held-blocks.test.ts has the memory).

const dir = fileTempDir('manifold-ranges-left-big-');
const LEFT = /each block stays in the file until its worker's pipe takes it/;

/** ~23 MB of numbered lines: a block of 17M, and the rest. */
const LINES = 460_000;
const input = numbered(1, LINES, 'x'.repeat(40));
const file = join(dir, 'input');
writeFileSync(file, input);

const starters: [string, Record<string, string>][] = [
  ['sent by the process starter', {}],
  ['sent by manifold', { MANIFOLD_STARTER: 'spawn' }],
];

describe.concurrent('--one-to-one and --protocol blocks over 16M', { timeout: 120_000 }, () => {
  for (const [how, env] of starters) {
    it(`--one-to-one, ordered, ${how}: the input back, left in the file`, async () => {
      const args = ['-j', '2', '--block', '17M', '--merge', 'ordered', '--one-to-one'];
      const result = await run(
        manifold,
        ['fan', '--verbose', '--input', file, ...args, '--', 'cat'],
        '',
        { env: { ...C.env, ...env } },
      );
      expect(result.exitCode).toBe(0);
      expect(LEFT.test(result.stderr), result.stderr).toBe(true);
      expect(byteDiff(result.stdout, Buffer.from(input))).toEqual(sameBytes(Buffer.from(input)));
    });
  }

  it('--protocol, ordered: record numbers as from a pipe', async () => {
    const args = ['-j', '2', '--block', '17M', '--merge', 'ordered', '--protocol', 'manifold'];
    const command = ['--', bin('mf-map'), 'n + " " + r'];
    const [fromFile, fromPipe] = await Promise.all([
      run(manifold, ['fan', '--verbose', '--input', file, ...args, ...command], '', C),
      run(manifold, ['fan', ...args, ...command], input, C),
    ]);
    expect(fromPipe.exitCode).toBe(0);
    expect(fromFile.exitCode).toBe(0);
    expect(LEFT.test(fromFile.stderr), fromFile.stderr).toBe(true);
    expect(byteDiff(fromFile.stdout, fromPipe.stdout)).toEqual(sameBytes(fromPipe.stdout));
  });

  it('--one-to-one --retries: a worker killed inside a block left in the file loses and repeats nothing', async () => {
    // A byte 0xFE in the second block: the first copy of crash-cat to meet it dies by SIGKILL.
    const lines = input.split('\n');
    const at = Math.floor(LINES * 0.9);
    lines[at] = `\xfe${lines[at]}`;
    const marked = Buffer.from(lines.join('\n'), 'latin1');
    const path = join(dir, 'marked');
    writeFileSync(path, marked);
    const crashDir = mkdtempSync(join(dir, 'crash-'));
    const args = ['-j', '2', '--block', '17M', '--merge', 'ordered', '--one-to-one'];
    const result = await run(
      manifold,
      [
        'fan',
        '--verbose',
        '--input',
        path,
        ...args,
        '--retries',
        '1',
        '--',
        fixture('crash-cat.js'),
      ],
      '',
      { env: { ...C.env, CRASH_DIR: crashDir } },
    );
    expect(result.exitCode).toBe(0);
    expect(LEFT.test(result.stderr), result.stderr).toBe(true);
    expect(result.stderr).toMatch(/killed by SIGKILL/);
    expect(byteDiff(result.stdout, marked)).toEqual(sameBytes(marked));
  });
});
