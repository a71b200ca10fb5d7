import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, manifold } from '../helpers.js';
import { fan, OK, ok, readStats } from '../support/fan-run.js';
import { linesOf, numbered } from '../support/lines.js';
import { descendants } from '../support/proc.js';
import { quote, spawnManifold, watch, within } from '../support/spawn.js';
import { summary, watchStall } from '../support/stall.js';
import { tempDir } from '../support/temp.js';

// Thread workers failing: a filter that throws, retries on a fresh thread, halting, a thread
// stuck in a loop ended by a signal, a stalled reader, a capped heap, and commands that cannot
// run as threads at all.

/** 100 lines, a bad one ("!bad"), 100 more: the bad one is record 101. */
const withBadRecord = `${numbered(1, 100)}!bad\n${numbered(101, 200)}`;
const okLines = (text: string) => linesOf(text).map((line) => `ok ${line}`);

/**
 * A stderr with the worker's own id (pid or thread) left out, and the blocks queued behind the
 * failing one (how many had been given to it is a matter of timing), to compare shapes.
 */
const shape = (stderr: string) =>
  stderr.replace(/\((pid|thread) \d+:/g, '(<id>:').replace(/, block \d+ \(records \d+-\d+\)/g, '');

describe("a thread's exit status, as a process's", () => {
  const both = async (args: string[], env: Record<string, string>) => {
    const run = (way: string[]) =>
      fan([...args, ...way, '--', fixture('thread-exit.js')], numbered(1, 300), { env });
    return { thread: await run(['--threads']), process: await run(['--protocol', 'manifold']) };
  };

  it('--ok-status accepts it once every block is answered (a thread failed the run)', async () => {
    const args = ['-j', '2', '--block', '300', '--merge', 'ordered', '--ok-status', '0,1'];
    const { thread, process } = await both(args, { EXIT_AT: 'flush', EXIT_CODE: '1' });
    for (const run of [thread, process]) {
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect(run.stdout.toString()).toBe(numbered(1, 300));
    }
  });

  it('exit 0 before its blocks are answered reads "exited with status 0 before finishing" (a thread said "ended")', async () => {
    const args = ['-j', '1', '--block', '300', '--merge', 'ordered'];
    const { thread, process } = await both(args, { EXIT_AT: '2', EXIT_CODE: '0' });
    expect(thread.exitCode).toBe(1);
    expect(thread.stderr).toMatch(
      /^manifold: worker 1 \(thread \d+: .*\) exited with status 0 before finishing block 1 \(records 1-\d+\)/,
    );
    expect(shape(thread.stderr)).toBe(shape(process.stderr));
  });
});

describe('process.exitCode set by a filter, in a thread as in a process', () => {
  const both = (args: string[]) => {
    const env = { EXIT_AT: '5', EXIT_CODE: '3' };
    const run = (way: string[]) =>
      fan([...args, ...way, '--', fixture('exit-code.js')], numbered(1, 300), { env });
    return Promise.all([run(['--threads']), run(['--protocol', 'manifold'])]);
  };
  const args = ['-j', '1', '--block', '300', '--merge', 'ordered'];

  it('is its exit status: the run fails (both exited 0)', async () => {
    for (const run of await both(args)) {
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(
        /^manifold: worker 1 \((thread|pid) \d+: \S+exit-code\.js .*\) exited with status 3\n$/,
      );
      expect(run.stdout.toString()).toBe(numbered(1, 300));
    }
  });

  it('--ok-status accepts it', async () => {
    for (const run of await both([...args, '--ok-status', '0,3'])) {
      expect(ok(run)).toEqual(OK);
      expect(run.stdout.toString()).toBe(numbered(1, 300));
    }
  });
});

describe('a filter that throws in a thread', () => {
  it('fails its block with the same lines a process filter gives, and status 1', async () => {
    const env = { FLAKY_DIR: tempDir(), FLAKY_ALWAYS: '1' };
    const args = ['-j', '1', '--block', '300', '--merge', 'ordered'];
    const thread = await fan(
      [...args, '--threads', '--', fixture('thread-fail.js')],
      withBadRecord,
      { env },
    );
    const process = await fan(
      [...args, '--protocol', 'manifold', '--', fixture('thread-fail.js')],
      withBadRecord,
      { env },
    );
    expect(thread.exitCode).toBe(1);
    const lines = thread.stderr.split('\n');
    expect(lines[0]).toBe('thread-fail: stdin:101: Error: bad record');
    expect(lines[1]).toMatch(
      /^manifold: worker 1 \(thread \d+: \S+thread-fail\.js --protocol manifold --split lines\) exited with status 1 on block \d+ \(records \d+-\d+\)/,
    );
    expect(shape(thread.stderr)).toBe(shape(process.stderr));
    expect(thread.stdout.equals(process.stdout)).toBe(true);
    // The ordered output is a clean prefix: every record before the failing block's.
    const out = linesOf(thread.stdout);
    expect(out).toEqual(okLines(withBadRecord).slice(0, out.length));
    expect(out.length).toBeLessThan(101);
  });

  it('--retries: the block runs again on a fresh thread, and the output is whole', async () => {
    const dir = tempDir();
    const stats = join(dir, 'stats.json');
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--block',
        '300',
        '--merge',
        'ordered',
        '--retries',
        '1',
        '--stats',
        stats,
        '--',
        fixture('thread-fail.js'),
      ],
      withBadRecord,
      { env: { FLAKY_DIR: dir } },
    );
    expect(result.exitCode).toBe(0);
    expect(linesOf(result.stdout)).toEqual(okLines(withBadRecord));
    expect(readFileSync(join(dir, 'deaths'), 'utf8')).toBe('!bad\n');
    const exits = readStats(stats).workers.flatMap((worker) => worker.exits) as {
      thread?: number;
      exitCode: number | null;
    }[];
    // One thread failed (status 1), a fresh one (another id) took its blocks again.
    expect(exits.filter((exit) => exit.exitCode === 1)).toHaveLength(1);
    expect(new Set(exits.map((exit) => exit.thread)).size).toBe(exits.length);
    expect(result.stderr).toMatch(/^thread-fail: stdin:101: Error: bad record\n/);
  });

  it('--halt never: the other blocks finish, the run exits 1', async () => {
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--block',
        '300',
        '--merge',
        'ordered',
        '--halt',
        'never',
        '--',
        fixture('thread-fail.js'),
      ],
      withBadRecord,
      { env: { FLAKY_DIR: tempDir(), FLAKY_ALWAYS: '1' } },
    );
    expect(result.exitCode).toBe(1);
    const out = linesOf(result.stdout);
    // The bad record ends block 1 (records 1-101): the 100 before it are written in its place.
    expect(out).toEqual(okLines(numbered(1, 200)));
  });
});

describe('a thread stuck in a loop', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('is ended by %s: manifold exits %i, leaving no process', async (signal, status) => {
    const args = ['fan', '-j', '2', '--threads', '--block', '16', '--', fixture('thread-loop.js')];
    const child = spawnManifold(args);
    const stderr = watch(child.stderr!);
    child.stdin!.write(`loop\n${numbered(1, 100)}`); // and stdin stays open
    await stderr.waitFor(/^thread-loop: looping$/, 1);
    expect(descendants(child.pid!)).toEqual([]);
    child.kill(signal);
    const [code] = await within(
      once(child, 'exit'),
      10_000,
      () => `manifold did not exit on ${signal}`,
    );
    expect(code).toBe(status);
    expect(stderr.text).not.toMatch(/^manifold:/m);
  });
});

describe('memory with threads', () => {
  it('stdout not read: manifold stops reading its input, memory stays bounded', async () => {
    const run = `${quote(process.execPath)} ${quote(manifold)} fan -j 2 --threads --block 64K -- mf-map ${quote('r.toUpperCase()')}`;
    const stall = await watchStall(
      `yes 0123456789abcdef | ${run} | sleep 1000`,
      'yes 0123',
      250 * 1024,
    );
    expect(summary(stall, 250 * 1024)).toEqual({ blocked: true, bounded: true, ended: false });
  }, 60_000);

  // A thread's output waits to be taken, as a process's waits in a full pipe: it held ~840 MB
  // for 50 MB of input, and without end for endless input, each block done with its output
  // held in manifold.
  it.each(['ready', 'ordered'])(
    'stdout not read, a filter writing 100 times its input (--merge %s): the thread waits, memory stays bounded',
    async (merge) => {
      const amplify = quote('Array(100).fill(r)');
      const run = `${quote(process.execPath)} ${quote(manifold)} fan -j 2 --threads --merge ${merge} -- mf-map ${amplify}`;
      const stall = await watchStall(
        `yes 0123456789abcdef | ${run} | sleep 1000`,
        'yes 0123',
        250 * 1024,
      );
      expect(summary(stall, 250 * 1024)).toEqual({ blocked: true, bounded: true, ended: false });
    },
    60_000,
  );

  it('--thread-heap caps a thread: one that outgrows it fails its block in one line', async () => {
    const result = await fan(
      [
        '-j',
        '1',
        '--threads',
        '--thread-heap',
        '16M',
        '--',
        'mf-map',
        '(globalThis.kept ??= []).push(new Array(10000).fill(n)), r',
      ],
      numbered(1, 20_000),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: worker 1 \(thread \d+: mf-map .*\) ran out of memory \(its heap is capped at 16 MiB by --thread-heap\) on block 1 \(records 1-20000\)\n$/,
    );
  });
});

describe('commands that cannot run as threads', () => {
  it.each([
    [
      ['--', 'awk', '1'],
      2,
      /^manifold: --threads runs an SDK filter: .*; awk \(.*\) is not a JavaScript module: run it without --threads \(see 'manifold fan --help'\)\n$/,
    ],
    [
      ['--shell', '--', 'cat | cat'],
      2,
      /^manifold: --threads runs an SDK filter: .* not a shell command line \(--shell\)/,
    ],
    [['--', 'manifold'], 2, /manifold itself is not one \(see 'manifold fan --help'\)\n$/],
    [
      ['--', 'node', '--inspect', 'x.js'],
      2,
      /\(node options cannot apply to a thread\) \(see 'manifold fan --help'\)\n$/,
    ],
    [['--', './no-such-filter.js'], 127, /^manifold: \.\/no-such-filter\.js: no such file\n$/],
    [['--', 'no-such-filter'], 127, /^manifold: no-such-filter: command not found\n$/],
    [
      ['--one-to-one', '--', 'mf-map', 'r'],
      2,
      /^manifold: --threads ties each block's output to it by itself: leave out --one-to-one \(see 'manifold fan --help'\)\n$/,
    ],
    [
      ['--', fixture('not-a-filter.js')],
      2,
      /^manifold: cannot start worker \d: .*not-a-filter\.js is not an SDK filter: .* ran without calling defineFilter\(\.\.\.\)\.main\(\)/,
    ],
  ])('fan --threads %j: exit %i, one line', async (args, status, message) => {
    const result = await fan(['-j', '2', '--threads', ...args], 'a\n');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: status,
      stderr: expect.stringMatching(message),
    });
    expect(result.stdout.length).toBe(0);
  });

  it('--thread-heap without --threads is a usage error', async () => {
    const result = await fan(['--thread-heap', '64M', '--', 'cat'], '');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr:
        "manifold: --thread-heap caps each thread's heap: it needs --threads (see 'manifold fan --help')\n",
    });
  });

  it('a successful run says nothing', async () => {
    expect(ok(await fan(['--threads', '--', 'mf-map', 'r'], 'a\n'))).toEqual(OK);
  });
});
