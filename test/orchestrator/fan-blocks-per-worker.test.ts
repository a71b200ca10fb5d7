import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan } from '../../orchestrator/index.js';
import { manifold, run } from '../helpers.js';
import { statsOf } from '../support/fan-run.js';
import { encode, framingOf } from '../support/framing.js';
import { sink } from '../support/sink.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// A negative --block, as GNU parallel's `--pipepart --block -1`: `-n` is n blocks for each
// worker, their size the input file's divided among them; exactly that many blocks, whole
// records each, in every way the file is read (ranges, a stream); refused where the input's
// size is not known before it is read.

/** Records of lengths that vary (1 to 60 bytes), so that a block's cut shows. */
const records = (count: number) =>
  Array.from({ length: count }, (_, i) => Buffer.from(`${i}:${'x'.repeat((i * 37) % 58)}`));

/** The sizes `wc -c` printed, one a line. */
const sizes = (stdout: Buffer) => stdout.toString().trim().split('\n').map(Number);

/** Each of `got` is within `slack` bytes of the input's `total` shared by `blocks`. */
function nearShares(got: number[], total: number, blocks: number, slack: number): void {
  expect(got.length).toBe(blocks);
  expect(got.reduce((a, b) => a + b, 0)).toBe(total);
  for (const size of got) expect(Math.abs(size - total / blocks)).toBeLessThanOrEqual(slack);
}

describe('--block -n: n blocks for each worker, from a file', () => {
  const lines = Buffer.concat(records(3000).map((r) => Buffer.from(`${r}\n`)));
  const file = fileWith('per-worker-', lines);

  it.for([
    ['-1', 2, 2],
    ['-2', 2, 4],
    ['-3', 3, 9],
    ['-10', 2, 20],
  ] as const)(
    '--block %s -j %i: %i blocks, each near its share, from --input and from stdin',
    async ([block, workers, blocks]) => {
      const args = ['fan', '-j', String(workers), '--block', block, '--per-block'];
      const tail = ['--merge', 'ordered', '--', 'wc', '-c'];
      const [named, redirected] = await Promise.all([
        run(manifold, [...args, '--input', file, ...tail]),
        // stdin redirected from the file by a shell (execa's inputFile pipes it).
        run('sh', ['-c', 'exec node "$@" < "$0"', file, manifold, ...args, ...tail]),
      ]);
      for (const result of [named, redirected]) {
        expect([result.exitCode, result.stderr]).toEqual([0, '']);
        // Block k ends at the last record end before k shares: within a record (61 B) of it.
        nearShares(sizes(result.stdout), lines.length, blocks, 2 * 61);
      }
    },
  );

  // The last block planned was cut in two where the input ends as a block's size does, by a
  // record without its delimiter (in start: and between:, whose last record ends only at the
  // input's end, every input): `printf 'aa\nbb\ncc' > f; manifold fan -j 1 --block -1 ... < f`
  // gave 2 blocks (6 and 2 bytes), `--split 'start:>' --block -3 -j 2` on 8 records 7.
  const unended = 'aa\nbb\ncc';
  const fasta = '>a\n>b\n>c\n>d\n>e\n>f\n>g\n>h\n';
  it.for([
    ['a file left in it (per-block)', ['-j', '1', '--per-block'], unended, 1],
    ['a file held (--one-to-one)', ['-j', '1', '--one-to-one'], unended, 1],
    ['a file held (workers that stay)', ['-j', '1', '--merge', 'ready'], unended, 1],
    ['start:> as a stream', ['-j', '2', '--split', 'start:>', '--per-block'], fasta, 2],
    ['between:\\n|> as a stream', ['-j', '2', '--recend', '\\n', '--recstart', '>'], fasta, 2],
    ['-L 2 as a stream', ['-j', '1', '-L', '2', '--per-block'], 'a\nb\nc\nd\ne\nf', 1],
  ] as const)(
    "%s: a last record that ends the input at a block's size is in that block",
    async ([, options, input, workers]) => {
      const blocks = workers === 1 ? 1 : 3 * workers;
      const block = workers === 1 ? '-1' : '-3';
      const result = await run(manifold, [
        ...['fan', '--merge', 'ordered', ...options, '--block', block, '--stats', '-'],
        ...['--input', fileWith('per-worker-', input), '--', 'cat'],
      ]);
      expect([result.exitCode, result.stdout.toString()]).toEqual([0, input]);
      expect(statsOf(result).totals.blocks).toBe(blocks);
    },
  );

  it('a plain --block: the rest of a pipe that fits in a block is one block, as of a file', async () => {
    const args = ['fan', '-j', '1', '--block', '8', '--per-block', '--merge', 'ordered'];
    const [piped, fromFile] = await Promise.all([
      run(manifold, [...args, '--', 'wc', '-c'], unended),
      run(manifold, [...args, '--input', fileWith('per-worker-', unended), '--', 'wc', '-c']),
    ]);
    for (const result of [piped, fromFile]) {
      expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([0, '', '8\n']);
    }
  });

  it('whole records in order: ordered merges of persistent workers and threads give the file back', async () => {
    const common = ['fan', '-j', '2', '--block', '-3', '--merge', 'ordered', '--input', file];
    const [oneToOne, threads, ready] = await Promise.all([
      run(manifold, [...common, '--one-to-one', '--', 'cat']),
      run(manifold, [...common, '--threads', '--', 'mf-map', 'r']),
      run(manifold, ['fan', '-j', '2', '--block', '-1', '--input', file, '--', 'sort']),
    ]);
    for (const result of [oneToOne, threads]) {
      expect([result.exitCode, result.stderr]).toEqual([0, '']);
      expect(result.stdout.equals(lines)).toBe(true);
    }
    expect(ready.exitCode).toBe(0);
    expect(ready.stdout.length).toBe(lines.length);
  });

  it.for(['nul', 'delim:XX', 'fixed:16', 'frames'])(
    '--split %s: as many blocks as planned, each whole records',
    async (name) => {
      const framing = framingOf(name);
      const all =
        framing.kind === 'fixed'
          ? records(2000).map((r) => Buffer.concat([r, Buffer.alloc(16)]).subarray(0, 16))
          : records(2000);
      const input = encode(framing, all);
      const result = await run(manifold, [
        'fan',
        '-j',
        '2',
        '--split',
        name,
        '--join',
        'lines',
        '--block',
        '-2',
        '--per-block',
        '--merge',
        'ordered',
        '--input',
        fileWith('per-worker-', input),
        '--',
        'wc',
        '-c',
      ]);
      expect([result.exitCode, result.stderr]).toEqual([0, '']);
      nearShares(sizes(result.stdout), input.length, 4, 2 * 64);
    },
  );

  it('--dispatch broadcast: every worker gets the n blocks of the whole input', async () => {
    const result = await run(manifold, [
      'fan',
      '-j',
      '2',
      '--block',
      '-2',
      '--dispatch',
      'broadcast',
      '--per-block',
      '--input',
      file,
      '--',
      'wc',
      '-c',
    ]);
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    const got = sizes(result.stdout).sort((a, b) => a - b);
    expect(got.length).toBe(4);
    expect(got.reduce((a, b) => a + b, 0)).toBe(2 * lines.length);
    // Two blocks, each given to both workers: the sizes come in pairs.
    expect([got[0], got[2]]).toEqual([got[1], got[3]]);
  });

  it('--verbose says the size chosen and why', async () => {
    const result = await run(manifold, [
      'fan',
      '-j',
      '2',
      '--block',
      '-1',
      '--verbose',
      '--input',
      fileWith('per-worker-', 'a\n'.repeat(1024)),
      '--',
      'cat',
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      "manifold: --block -1: blocks of 1 KiB, the input's 2 KiB in 2 block(s) at most, 1 for each worker\n",
    );
  });

  it('a config says block: -2 in its first stage, the library block: -2', async () => {
    const small = fileWith('per-worker-', '1\n2\n3\n4\n5\n6\n7\n8\n');
    const config = writeConfig(tempDir(), {
      input: small,
      stages: [{ fan: { worker: 'wc -l', block: -2, attribution: 'per-block', merge: 'ordered' } }],
    });
    const fromConfig = await run(manifold, ['run', config]);
    expect([fromConfig.exitCode, fromConfig.stderr, fromConfig.stdout.toString()]).toEqual([
      0,
      '',
      '2\n2\n2\n2\n',
    ]);
    const output = sink();
    await fan(
      { command: ['wc', '-l'], block: '-2', perBlock: true, merge: 'ordered', workers: 2 },
      { input: small, output },
    );
    expect(output.text()).toBe('2\n2\n2\n2\n');
  });
});

describe('--block -n: refused in one line, exit 2, where it cannot divide the input', () => {
  it('from a pipe, and bad counts', async () => {
    const cases = [
      [
        ['--block', '-1'],
        "manifold: --block -1 divides the input's size among the workers, and this input is a pipe or a stream, whose size is not known before it is read: read a file, or give the block a size (64M)\n",
      ],
      [
        ['--block', '-0'],
        "manifold: --block -0: a negative block is a count of blocks for each worker, as GNU parallel's --block -1: a whole number, -1 or less (see 'manifold fan --help')\n",
      ],
      [
        ['--block', '-1.5'],
        "manifold: --block -1.5: a negative block is a count of blocks for each worker, as GNU parallel's --block -1: a whole number, -1 or less (see 'manifold fan --help')\n",
      ],
    ] as const;
    for (const [options, stderr] of cases) {
      const result = await run(manifold, ['fan', ...options, '--', 'cat'], '1\n2\n');
      expect([result.exitCode, result.stderr, result.stdout.length]).toEqual([2, stderr, 0]);
    }
  });

  it('with --queue', async () => {
    const result = await run(
      manifold,
      ['fan', '--block', '-1', '--queue', 'nats://127.0.0.1:1'],
      '',
      {
        inputFile: fileWith('per-worker-', '1\n'),
      },
    );
    expect([result.exitCode, result.stderr]).toEqual([
      2,
      "manifold: --block -1 is not for --queue: it divides the input among workers, and a queue's are not known in advance; give a size (see 'manifold fan --help')\n",
    ]);
  });

  it('a config: a fan after another stage (it reads a pipe), at its line and column', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      `input: ${fileWith('per-worker-', '1\n')}\nstages:\n  - run: cat\n  - fan:\n      worker: cat\n      block: -2\n`,
    );
    const result = await run(manifold, ['run', config]);
    expect([result.exitCode, result.stderr]).toEqual([
      2,
      `${config}:6:14: block: -2 divides the input's size among the workers, and this stage reads a pipe, whose size is not known before it is read: give the block a size (64M), or make this fan the first stage\n`,
    ]);
  });

  // A use: as the first stage, its first stage a fan, was taken for a later stage by its path
  // (pipelines.p[0]): refused, though it reads the config's input file (QA). Not the second use.
  it('a config: a fan that starts the pipeline through use: takes -N; the same pipeline used again, not', async () => {
    const dir = tempDir();
    const input = fileWith('per-worker-', '1\n2\n3\n4\n');
    const pipelines = 'pipelines:\n  p:\n    - fan:\n        worker: cat\n        block: -2\n';
    const first = writeConfig(
      dir,
      `input: ${input}\n${pipelines}stages:\n  - use: p\n`,
      'first.yaml',
    );
    const ran = await run(manifold, ['run', first]);
    const lines = ran.stdout.toString().split('\n').sort();
    expect([ran.exitCode, ran.stderr, lines]).toEqual([0, '', ['', '1', '2', '3', '4']]);
    const twice = writeConfig(
      dir,
      `input: ${input}\n${pipelines}stages:\n  - use: p\n  - use: p\n`,
      'twice.yaml',
    );
    const refused = await run(manifold, ['run', twice]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(
      /^.*twice\.yaml:6:16: block: -2 divides the input's size among the workers, and this stage reads a pipe/,
    );
  });

  it("the library: a stream's size is not known", async () => {
    const input = Readable.from(['1\n2\n']);
    const failed = fan(
      { command: ['cat'], block: -1 },
      { input, output: new Writable({ write: (_c, _e, done) => done() }) },
    );
    await expect(failed).rejects.toThrow(
      "block -1 divides the input's size among the workers, and this input is a pipe or a stream",
    );
  });
});
