import { type StdioOptions, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPipes } from '../../orchestrator/pipeline/pipes.js';
import { fixture, manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { nonEmptyLines, numbered, numberedLines, sortedLines } from '../support/lines.js';
import { leftovers, pidDir, pidsIn, tracked } from '../support/proc.js';
import { within } from '../support/spawn.js';
import { tempDir as makeTempDir } from '../support/temp.js';

// How workers are fed, fail, are started again and cannot be started: on real processes, with
// the open-file limit lowered by `ulimit -n` in a shell around manifold.

const tempDir = () => makeTempDir('manifold-fan-workers-');

/** Runs manifold under `ulimit -n limit`, with the arguments passed through as they are. */
const underLimit = (limit: number, args: string[], input = '', env: Record<string, string> = {}) =>
  run('bash', ['-c', `ulimit -n ${limit}; exec "$@"`, 'bash', manifold, ...args], input, {
    env,
    timeout: 30_000,
  });

describe('readiness: small blocks never stall a worker', () => {
  // A worker is not ready while its queued input reaches a block; with blocks under Node's own
  // 16 KiB mark no write is ever refused, so 'drain' never came and the fan stopped for ever.
  const input = numbered(1, 200_000);
  const dispatches = [
    ['--dispatch', 'ready'],
    ['--dispatch', 'round-robin'],
    ['--dispatch', 'hash', '--key', 'whole'],
  ];
  const cases = [
    ...['100', '1K', '4K', '8K'].flatMap((block) => dispatches.map((mode) => ({ block, mode }))),
    { block: '1K', mode: ['--one-to-one', '--merge', 'ordered'] },
    { block: '1K', mode: ['--protocol', 'manifold', '--merge', 'ordered'] },
  ];

  it.each(cases)('--block $block $mode gives every record back', async ({ block, mode }) => {
    const command = mode.includes('--protocol') ? [fixture('identity.js')] : ['cat'];
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', block, ...mode, '--', ...command],
      input,
      { timeout: 60_000 },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sortedLines(result.stdout)).toEqual(sortedLines(input));
  });
});

describe('a worker that ends with blocks unanswered has failed them', () => {
  const input = numbered(1, 20_000).replace('\n9000\n', '\n!9000\n');
  /** Two block-protocol workers that exit 0 at record !9000 (the first time, or always). */
  const exitFlaky = (merge: string, args: string[], env: Record<string, string>) =>
    run(
      manifold,
      [
        'fan',
        '-j',
        '2',
        '--block',
        '16K',
        '--protocol',
        'manifold',
        '--merge',
        merge,
        ...args,
      ].concat(['--', fixture('exit-flaky-sdk.js')]),
      input,
      { env, timeout: 60_000 },
    );

  it.each(['ordered', 'ready'])(
    '--protocol, --merge %s: exit 0 mid-block is a failure, one line, exit 1',
    async (merge) => {
      const result = await exitFlaky(merge, [], { FLAKY_DIR: tempDir(), FLAKY_ALWAYS: '1' });
      expect(result.exitCode).toBe(1);
      const lines = nonEmptyLines(result.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^manifold: worker [12] \(pid \d+: \S+exit-flaky-sdk\.js .*\) exited with status 0 before finishing .*block \d+ \(records \d+-\d+\)/,
      );
    },
  );

  it.each(['ordered', 'ready'])(
    '--protocol, --merge %s, --retries 1: the unanswered blocks run again, nothing lost',
    async (merge) => {
      const result = await exitFlaky(merge, ['--retries', '1'], { FLAKY_DIR: tempDir() });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const expected = input.replace(/^/gm, 'ok ').slice(0, -3);
      expect(sortedLines(result.stdout)).toEqual(sortedLines(expected));
    },
  );

  it('--one-to-one: a worker that exits 0 early fails its blocks under --halt never too', async () => {
    const result = await run(
      manifold,
      [
        'fan',
        '-j',
        '1',
        '--block',
        '16K',
        '--one-to-one',
        '--halt',
        'never',
        '--',
        'head',
        '-n',
        '100',
      ],
      numbered(1, 20_000),
      { timeout: 60_000 },
    );
    expect(result.exitCode).toBe(1);
    expect(nonEmptyLines(result.stderr)[0]).toMatch(
      /^manifold: worker 1 \(pid \d+: head -n 100\) exited with status 0 before finishing /,
    );
  });
});

describe('a worker killed inside a record', () => {
  // The start of a record from a worker that dies is no record: it is never written, and the
  // block it belonged to has failed (it is tried again under --retries).
  /** One --one-to-one worker under `--merge merge`. */
  const oneToOne = (merge: string, args: string[], input: string | Buffer, env = {}) =>
    run(manifold, ['fan', '-j', '1', '--merge', merge, '--one-to-one', ...args], input, { env });

  it.each(['ready', 'ordered'])(
    '--merge %s --one-to-one: the cut record is not written, the run fails',
    async (merge) => {
      const result = await oneToOne(merge, ['--shell', '--', 'head -c1; kill -9 $$'], 'xy\n');
      expect(result.stdout.toString()).toBe('');
      expect(result.exitCode).toBe(1);
      expect(nonEmptyLines(result.stderr)).toEqual([
        expect.stringMatching(
          /^manifold: worker 1 \(pid \d+: .*\) was killed by SIGKILL on block 1/,
        ),
      ]);
    },
  );

  it.each(['ready', 'ordered'])(
    '--merge %s --one-to-one --retries 2: the block runs again and comes out whole, once',
    async (merge) => {
      const result = await oneToOne(
        merge,
        ['--retries', '2', '--', fixture('crash-cat.js')],
        Buffer.from('a\nx\xfe\nb\n', 'latin1'),
        { CRASH_DIR: tempDir() },
      );
      expect(result.stdout.toString('latin1')).toBe('a\nx\xfe\nb\n');
      expect(result.exitCode).toBe(0);
    },
  );
});

describe('environment', () => {
  it('each worker has its number and the count in MANIFOLD_WORKER and MANIFOLD_WORKERS', async () => {
    const result = await run(
      manifold,
      [
        'fan',
        '-j',
        '3',
        '--dispatch',
        'round-robin',
        '--block',
        '2',
        '--shell',
        '--',
        'sed "s/^/$MANIFOLD_WORKER of $MANIFOLD_WORKERS:/"',
      ],
      numbered(1, 6),
      { timeout: 20_000 },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString().split('\n').slice(0, -1).sort()).toEqual([
      '1 of 3:1',
      '1 of 3:4',
      '2 of 3:2',
      '2 of 3:5',
      '3 of 3:3',
      '3 of 3:6',
    ]);
  });
});

describe('restarts: only a worker with work left is started again', () => {
  it('--halt never: a persistent worker failing at the end of input fails once', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '1', '--halt', 'never', '--', 'false'],
      numbered(1, 10),
      {
        timeout: 20_000,
      },
    );
    expect(result.exitCode).toBe(1);
    expect(nonEmptyLines(result.stderr)).toEqual([
      expect.stringMatching(/^manifold: worker 1 \(pid \d+: false\) exited with status 1/),
    ]);
  });

  it('--halt never: a worker that fails mid-record leaves no part of that record', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '1', '--halt', 'never', '--shell', '--', 'head -c4; exit 1'],
      'ab\ncd\nef',
      { timeout: 20_000 },
    );
    expect(result.stdout.toString()).toBe('ab\n');
    expect(result.exitCode).toBe(1);
  });

  it('--halt never: workers that fail only at their end (grep) are not started again', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '4K', '--halt', 'never', '--', 'grep', 'nothing'],
      numbered(1, 20_000),
      { timeout: 20_000 },
    );
    expect(result.exitCode).toBe(1);
    // One failure a worker, then the hint that grep's 1 is "nothing selected".
    expect(nonEmptyLines(result.stderr)).toEqual([
      expect.stringMatching(/exited with status 1/),
      expect.stringMatching(/exited with status 1/),
      expect.stringMatching(/^manifold: hint: grep exits 1 when it selects nothing/),
    ]);
  });

  it('--halt never, --retries 2: a block that always fails is tried 3 times, then lost alone', async () => {
    const dir = tempDir();
    const input = numbered(1, 4000).replace('\n2000\n', '\n!2000\n');
    const result = await run(
      manifold,
      [
        'fan',
        '-j',
        '2',
        '--block',
        '4K',
        '--protocol',
        'manifold',
        '--retries',
        '2',
        '--halt',
        'never',
        '--verbose',
        '--',
        fixture('exit-flaky-sdk.js'),
      ],
      input,
      { env: { FLAKY_DIR: dir, FLAKY_ALWAYS: '1' }, timeout: 60_000 },
    );
    expect(result.exitCode).toBe(1);
    const lines = nonEmptyLines(result.stderr);
    expect(lines.filter((line) => line.includes('; trying again ('))).toHaveLength(2);
    // The block is lost after its third try, and only it: the blocks queued behind it on the
    // same worker are not charged for its failures.
    const lost = /before finishing block \d+ \(records (\d+)-(\d+)\); tried 3 times$/.exec(
      lines.at(-1)!,
    );
    expect(lost).not.toBeNull();
    const [from, to] = [Number(lost![1]), Number(lost![2])];
    expect(from).toBeLessThanOrEqual(2000);
    expect(to).toBeGreaterThanOrEqual(2000);
    const expected = [...numberedLines(1, from - 1), ...numberedLines(to + 1, 4000)];
    expect(sortedLines(result.stdout)).toEqual(
      sortedLines(expected.map((l) => `ok ${l}`).join('')),
    );
  });
});

describe('out of file descriptors', () => {
  it('-j beyond what ulimit -n allows: one line saying how many, exit 2, nothing started', async () => {
    const pids = pidDir();
    const result = await underLimit(
      64,
      ['fan', '-j', '64', '--', fixture('sig-cat')],
      numbered(1, 1000),
      {
        MF_PIDS: pids,
      },
    );
    expect(result.exitCode).toBe(2);
    expect(nonEmptyLines(result.stderr)).toEqual([
      expect.stringMatching(
        /^manifold: -j 64: the open-file limit \(ulimit -n 64\) allows at most \d+ workers here/,
      ),
    ]);
    expect(pidsIn(pids)).toEqual([]);
  });

  it('as many workers as it says it allows run', async () => {
    const refused = await underLimit(64, ['fan', '-j', '64', '--', 'cat']);
    const allowed = /at most (\d+) workers/.exec(refused.stderr)?.[1];
    expect(allowed).toBeDefined();
    const input = numbered(1, 20_000);
    const result = await underLimit(
      64,
      ['fan', '-j', allowed!, '--block', '1K', '--', 'cat'],
      input,
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(sortedLines(result.stdout)).toEqual(sortedLines(input));
  });

  // The fixture's limit. Node loads its modules (167 files, unbundled) reading many at once on
  // the thread pool, each file open across several of its steps: under 64, up to fd 62 was
  // open while they loaded, and at 62 or below every start failed there ('EMFILE: too many
  // open files, open .../host-stats.js', a stack trace, no line of the fan's): so it failed
  // once in CI, a descriptor or two more in use. The fixture then uses up all but one itself.
  const FIXTURE_LIMIT = 256;
  const cannotStart = `manifold: cannot start worker 1: out of file descriptors (EMFILE, ulimit -n ${FIXTURE_LIMIT}); use fewer workers (-j) or raise the limit`;

  /** The fixture under the limit, with these words and stdio. */
  const exhausted = (words: string[], stdio: StdioOptions) =>
    spawn(
      'bash',
      [
        '-c',
        `ulimit -n ${FIXTURE_LIMIT}; exec "$@"`,
        'bash',
        fixture('fan-fd-exhausted.js'),
        ...words,
      ],
      { stdio },
    );

  it.each(['per-block', 'restart'])(
    'a worker that cannot be started later (%s): one line, exit 2, the others stopped',
    async (mode) => {
      const child = exhausted([mode], ['pipe', 'ignore', 'pipe']);
      const input = child.stdin!;
      onCleanup(() => {
        input.destroy();
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      let stderr = '';
      const failed = new Promise<void>((resolve) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('exited with status 3')) resolve();
        });
      });
      const closed = once(child, 'close');
      // The input stays open: the worker still running is stopped by the fan, not by its end.
      input.write(numbered(1, 1000));
      if (mode === 'restart') {
        // The failed worker is started again only when there is more work for it.
        await failed;
        input.write(numbered(1001, 2000));
      }
      await closed;
      const lines = nonEmptyLines(stderr);
      // Every line it printed, so that a failure shows what came instead.
      expect(lines).toEqual([
        ...(mode === 'restart'
          ? [expect.stringMatching(/^manifold: worker 1 .* exited with status 3;/)]
          : []),
        cannotStart,
        expect.stringMatching(/^end \{"kind":"done","status":2\} pids /),
      ]);
      const pids = JSON.parse(lines.at(-1)!.replace(/^.* pids /, '')) as number[];
      if (mode === 'restart') expect(pids).toHaveLength(2);
      expect(await leftovers(tracked(pids), 5000)).toEqual([]);
    },
  );

  it('stdin a pipe read off the main thread, stderr a file: the fan that stopped ends while the pipe is still open', async () => {
    // Its read waiting on the pipe is ended by a byte the fan writes into it, through an end it
    // opens then. With stderr a file, Node writes it without a libuv stream, so the first stream
    // made after the fixture's loop (a spawn's pipe) took the one free descriptor as libuv's
    // spare: that open failed, and the fan waited for the pipe's writer to write or close.
    const dir = tempDir();
    const errors = openSync(join(dir, 'stderr'), 'w');
    const pipe = openPipes(1)[0]!;
    const child = exhausted(['per-block', 'off-thread'], [pipe.read, 'ignore', errors]);
    closeSync(pipe.read);
    closeSync(errors);
    onCleanup(() => {
      closeSync(pipe.write);
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const exited = once(child, 'exit');
    // The pipe's writer stays: the fan is stopped by its failure, not by its input's end.
    writeSync(pipe.write, numbered(1, 1000));
    await within(exited, 20_000, 'the fan did not end while its input pipe was open');
    const lines = nonEmptyLines(readFileSync(join(dir, 'stderr'), 'utf8'));
    expect(lines).toEqual([
      cannotStart,
      expect.stringMatching(/^end \{"kind":"done","status":2\} pids \[\]$/),
    ]);
  });
});
