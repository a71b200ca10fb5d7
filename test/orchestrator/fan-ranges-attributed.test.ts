import { appendFileSync, closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFraming } from '../../filters/index.js';
import { rangeCut } from '../../orchestrator/fan/range-cut.js';
import { RangeReader } from '../../orchestrator/fan/range-input.js';
import type { Block } from '../../orchestrator/workers/block.js';
import { bin, fixture, manifold, type Result, run } from '../helpers.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { C } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { fileTempDir } from '../support/temp.js';

// Attributed workers (threads, per-block processes, --one-to-one, --protocol) and ordered merges
// take a regular file as byte ranges too: each block's records are counted as it is read (a
// per-block process's where its command names MANIFOLD_FIRST_RECORD), so what the workers are
// told (first record numbers) and what messages say is what a pipe gives;
// and a block kept for a retry is read again from the file instead of held in memory.

const tempDir = () => fileTempDir('manifold-fan-ranges-attributed-');
const RANGES = /input: \S+ is read as byte ranges .*records counted/;
const UNCOUNTED =
  /input: \S+ is read as byte ranges .*\(no record scanned or counted: the command does not name MANIFOLD_FIRST_RECORD, so its workers are not given it\)/;

/**
 * The same fan from `--input` and from a pipe (stdin redirected from a file is the same reader:
 * fan-ranges.test.ts); `env` is each run's own environment (0 for the file, 1 for the pipe).
 */
async function both(
  input: string,
  args: string[],
  env: (run: number) => Record<string, string> = () => ({}),
) {
  const file = join(tempDir(), 'input');
  writeFileSync(file, input);
  const options = (i: number) => ({ env: { ...C.env, ...env(i) } });
  const [fromFile, fromPipe] = await Promise.all([
    run(manifold, ['fan', '--verbose', '--input', file, ...args], '', options(0)),
    run(manifold, ['fan', ...args], input, options(1)),
  ]);
  return { fromFile, fromPipe };
}

const sortedLines = (r: Result) => r.stdout.toString().split('\n').sort().join('\n');
const quiet = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => !/^manifold: (input|output|per-block|--merge|--threads)/.test(line))
    .join('\n')
    .replace(/\((pid|thread) \d+:/g, '(<id>:')
    // Which worker the failing block went to is timing too (the readier one).
    .replace(/^manifold: worker \d+ /gm, 'manifold: worker <n> ')
    // The blocks queued behind the failing one: how many had been given to it is timing.
    .replace(/, block \d+ \(records \d+-\d+\)/g, '')
    .replace(/--input \S+ /, '');

// Records numbered by the worker (`n`, MANIFOLD_FIRST_RECORD): a wrong first record shows.
const input = numbered(1, 3000);
const numberedMap = ['mf-map', 'n + " " + r'];
const cases: [string, string[], 'bytes' | 'lines'][] = [
  [
    'threads, ordered',
    ['-j', '2', '--threads', '--merge', 'ordered', '--', ...numberedMap],
    'bytes',
  ],
  ['threads, ready', ['-j', '2', '--threads', '--', ...numberedMap], 'lines'],
  // Input in byte order, numbers after: each thread's output is in order, as the merge wants.
  [
    'threads, sorted',
    ['-j', '2', '--threads', '--merge', 'sorted', '--', 'mf-map', 'r.padStart(5, "0") + " " + n'],
    'bytes',
  ],
  [
    'protocol processes, ordered',
    ['-j', '2', '--protocol', 'manifold', '--merge', 'ordered', '--', bin('mf-map'), 'n + " " + r'],
    'bytes',
  ],
  [
    'per-block, ordered',
    [
      '-j',
      '3',
      '--merge',
      'ordered',
      '--shell',
      '--',
      'echo "$MANIFOLD_FIRST_RECORD $MANIFOLD_BLOCK"; cat',
    ],
    'bytes',
  ],
  [
    'per-block, ready',
    [
      '-j',
      '3',
      '--per-block',
      '--shell',
      '--',
      'echo "$MANIFOLD_FIRST_RECORD $MANIFOLD_BLOCK"; wc -l',
    ],
    'lines',
  ],
  ['per-block, sorted', ['-j', '3', '--per-block', '--merge', 'sorted', '--', 'sort'], 'bytes'],
];

describe.concurrent('attributed workers: a file read as ranges gives what a pipe gives', {
  timeout: 60_000,
}, () => {
  for (const [name, args, compare] of cases) {
    it(name, async () => {
      const { fromFile, fromPipe } = await both(input, ['--block', '2K', ...args]);
      expect(fromPipe.exitCode).toBe(0);
      // Per-block processes' records are counted only for a command that names them.
      const counted =
        !name.startsWith('per-block') || args.some((arg) => arg.includes('MANIFOLD_FIRST_RECORD'));
      expect((counted ? RANGES : UNCOUNTED).test(fromFile.stderr), fromFile.stderr).toBe(true);
      expect(fromFile.exitCode).toBe(0);
      if (compare === 'bytes') {
        expect(byteDiff(fromFile.stdout, fromPipe.stdout)).toEqual(sameBytes(fromPipe.stdout));
      } else expect(sortedLines(fromFile)).toBe(sortedLines(fromPipe));
    });
  }

  it('a record that throws in a thread is named by the same number, and its block by the same records', async () => {
    const bad = `${numbered(1, 1000)}!bad\n${numbered(1001, 2000)}`;
    const args = ['-j', '2', '--block', '1K', '--merge', 'ordered', '--threads', '--halt', 'now'];
    const { fromFile, fromPipe } = await both(
      bad,
      [...args, '--', fixture('thread-fail.js')],
      () => ({ FLAKY_DIR: tempDir(), FLAKY_ALWAYS: '1' }),
    );
    expect(fromPipe.exitCode).toBe(1);
    expect(fromPipe.stderr).toMatch(/^thread-fail: stdin:1001: Error: bad record\n/);
    expect(fromPipe.stderr).toMatch(/exited with status 1 on block \d+ \(records \d+-\d+\)/);
    expect(fromFile.exitCode).toBe(1);
    expect(quiet(fromFile.stderr)).toBe(quiet(fromPipe.stderr));
  });

  it('a failed per-block process names its block by its records, as from a pipe', async () => {
    const args = ['-j', '1', '--block', '1K', '--merge', 'ordered', '--shell', '--'];
    const command = 'grep -q "^1500$" && exit 3; cat';
    const { fromFile, fromPipe } = await both(input, [...args, command]);
    expect(fromPipe.stderr).toMatch(/exited with status 3 on block \d+ \(records \d+-\d+\)/);
    expect(fromFile.exitCode).toBe(1);
    expect(quiet(fromFile.stderr)).toBe(quiet(fromPipe.stderr));
    expect(byteDiff(fromFile.stdout, fromPipe.stdout)).toEqual(sameBytes(fromPipe.stdout));
  });

  it('--retries: blocks read again from the file give the output a pipe gives', async () => {
    const bad = `${numbered(1, 1000)}!bad\n${numbered(1001, 2000)}!worse\n${numbered(2001, 3000)}`;
    for (const kind of [['--threads'], ['--protocol', 'manifold']]) {
      const args = ['-j', '2', '--block', '1K', '--merge', 'ordered', '--retries', '1', ...kind];
      // Each bad record throws once per directory: each run has its own.
      const { fromFile, fromPipe } = await both(
        bad,
        [...args, '--', fixture('thread-fail.js')],
        () => ({ FLAKY_DIR: tempDir() }),
      );
      expect(fromPipe.exitCode).toBe(0);
      expect(fromPipe.stderr).toMatch(/thread-fail: stdin:1001: Error: bad record/);
      expect(fromFile.exitCode).toBe(0);
      expect(RANGES.test(fromFile.stderr), fromFile.stderr).toBe(true);
      expect(fromFile.stderr).toMatch(/thread-fail: stdin:1001: Error: bad record/);
      expect(fromFile.stderr).toMatch(/thread-fail: stdin:2002: Error: bad record/);
      expect(byteDiff(fromFile.stdout, fromPipe.stdout)).toEqual(sameBytes(fromPipe.stdout));
    }
  });
});

describe('a block released and read again', () => {
  /** A reader of `file`'s lines in blocks of 100 bytes, and the descriptor to close. */
  function readerOf(file: string, numberedBlocks: boolean) {
    const fd = openSync(file, 'r');
    const reader = new RangeReader(
      { fd, name: file, start: 0, owned: true },
      rangeCut(parseFraming('lines'))!,
      100,
      1 << 20,
      { numbered: numberedBlocks },
    );
    return { fd, reader };
  }

  async function firstBlocks(file: string, numberedBlocks: boolean) {
    const { fd, reader } = readerOf(file, numberedBlocks);
    const blocks: { block: Block; bytes: Buffer }[] = [];
    for await (const block of reader.blocks(
      async () => {},
      () => false,
    )) {
      blocks.push({ block, bytes: Buffer.concat(block.parts) });
      // Its buffer goes back, and the next block is read into it.
      block.release?.();
    }
    return { fd, blocks };
  }

  it('has the same bytes, and is numbered as the counting splitter numbers it', async () => {
    const file = join(tempDir(), 'in');
    writeFileSync(file, `${numbered(1, 200)}no end`);
    const { fd, blocks } = await firstBlocks(file, true);
    try {
      let next = 1;
      for (const { block, bytes } of blocks) {
        expect(block.parts).toEqual([]);
        block.reread!();
        expect(Buffer.concat(block.parts).equals(bytes)).toBe(true);
        expect(block.firstRecord).toBe(next);
        const ends = bytes.toString().split('\n').length - 1;
        expect(block.records).toBe(ends + (bytes.at(-1) === 0x0a ? 0 : 1));
        next += block.records;
      }
      expect(next).toBe(202);
    } finally {
      closeSync(fd);
    }
  });

  it('released twice (by a transport at its write, by the fan when done), its buffer is read into once', async () => {
    const file = join(tempDir(), 'in');
    writeFileSync(file, numbered(1, 200));
    const { fd, reader } = readerOf(file, true);
    try {
      // Blocks at their workers, two to four at a time, as with -j 2.
      const held: { block: Block; bytes: Buffer }[] = [];
      let blocks = 0;
      for await (const block of reader.blocks(
        async () => {},
        () => false,
      )) {
        blocks++;
        // Reading this block must not have touched the blocks still at their workers.
        for (const { block: at, bytes } of held) {
          expect(Buffer.concat(at.parts).equals(bytes)).toBe(true);
        }
        held.push({ block, bytes: Buffer.from(block.parts[0]!) });
        if (held.length === 4) {
          // The first two are done: for each, its transport calls the function it took at
          // send, and the fan the block's own.
          for (const { block: done } of held.splice(0, 2)) {
            const taken = done.release!;
            taken();
            taken();
            done.release?.();
          }
        }
      }
      expect(blocks).toBeGreaterThan(5);
    } finally {
      closeSync(fd);
    }
  });

  it('from a file that changed since it was read is an error naming the file', async () => {
    const file = join(tempDir(), 'in');
    writeFileSync(file, numbered(1, 200));
    const { fd, blocks } = await firstBlocks(file, false);
    try {
      appendFileSync(file, 'more\n');
      expect(() => blocks[1]!.block.reread!()).toThrow(
        `the input file ${file} grew while it was read`,
      );
    } finally {
      closeSync(fd);
    }
  });
});
