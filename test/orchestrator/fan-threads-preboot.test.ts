import { describe, expect, it } from 'vitest';
import { fanBootPlan } from '../../orchestrator/cli/boot-plan.js';
import { fixture } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { linesOf, numbered } from '../support/lines.js';

const threadsToBoot = (argv: string[]) => fanBootPlan(argv).threads;

// `manifold fan --threads` boots its threads while its own modules load, and hands each one its
// filter, arguments and environment when a worker claims it (orchestrator/workers/thread/
// preboot.ts). A thread booted ahead must run its filter exactly as one started for it.

const context = (worker: number, workers: number, args: string[], value: string) =>
  `worker ${worker} of ${workers}; args ${JSON.stringify(args)}; MF_CONTEXT=${value}`;

describe('threads booted while manifold loads', () => {
  it('each gets its own worker number, the filter’s arguments and manifold’s environment', async () => {
    const input = numbered(1, 300);
    const args = ['one', 'two', 'three four'];
    const result = await fan(
      [
        '-j',
        '3',
        '--threads',
        '--verbose',
        '--block',
        '256',
        '--',
        fixture('thread-context.js'),
        ...args,
      ],
      input,
      { env: { MF_CONTEXT: 'from manifold' } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      'manifold: --threads: 3 of the 3 threads booted while manifold loaded\n',
    );
    const lines = linesOf(result.stdout);
    const contexts = lines.filter((line) => line.startsWith('worker ')).sort();
    expect(contexts).toEqual([1, 2, 3].map((n) => context(n, 3, args, 'from manifold')));
    expect(lines.filter((line) => !line.startsWith('worker ')).sort()).toEqual(
      linesOf(input).sort(),
    );
  });

  it('a thread started later (a retry, or past those booted) is told the same', async () => {
    // --thread-heap: no thread is booted ahead (a booted thread has no heap limit), so every
    // thread is started for its worker; the filter sees the same.
    // Two blocks (-N 5): each thread is given one, and starts.
    const result = await fan(
      [
        '-j',
        '2',
        '-N',
        '5',
        '--threads',
        '--thread-heap',
        '256M',
        '--verbose',
        '--',
        fixture('thread-context.js'),
        'x',
      ],
      numbered(1, 10),
      { env: { MF_CONTEXT: 'v' } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain('booted while manifold loaded');
    const contexts = linesOf(result.stdout)
      .filter((line) => line.startsWith('worker '))
      .sort();
    expect(contexts).toEqual([1, 2].map((n) => context(n, 2, ['x'], 'v')));
  });

  // A filter's records are strings that die young: a thread's young generation is made with
  // 4 MB semi-spaces (orchestrator/workers/thread/jit.ts), however the thread is started: a
  // flag of manifold's own thread must not override it with 1 MB ones, with which the threads
  // spend three times a process's time in the scavenger.
  it.each([
    ['booted while manifold loads', []],
    ['started for its worker (--thread-heap)', ['--thread-heap', '256M']],
  ])('a thread %s has the young generation it was made with', async (_, options) => {
    // Two blocks (-N 5): each thread is given one, and starts.
    const result = await fan(
      ['-j', '2', '-N', '5', '--threads', ...options, '--', fixture('thread-young.js')],
      numbered(1, 10),
    );
    expect(result.exitCode).toBe(0);
    const sizes = linesOf(result.stdout)
      .filter((line) => line.startsWith('young '))
      .map((line) => Number(line.split(' ')[1]));
    expect(sizes).toHaveLength(2);
    for (const size of sizes) {
      expect(size).toBeGreaterThan(2 * 2 ** 20);
      expect(size).toBeLessThanOrEqual(8 * 2 ** 20);
    }
  });

  it.each([
    ['a module that is not there', [fixture('no-such-filter.js')], 127],
    ['a command that is no SDK filter', ['cat'], 2],
    ['a bad option after --threads', ['--no-such-option', '--', fixture('thread-context.js')], 2],
  ])('%s: manifold exits at once, its booted threads unclaimed', async (_, rest, code) => {
    const result = await fan(['-j', '4', '--threads', ...rest], 'a\n', { timeout: 20_000 });
    expect(result.exitCode).toBe(code);
    expect(linesOf(result.stderr)).toHaveLength(1);
  });

  it('reads how many threads to boot from fan’s arguments, and boots none when it cannot claim them', () => {
    expect(threadsToBoot(['fan', '-j', '3', '--threads', '--', 'mf-map', 'r'])).toBe(3);
    expect(threadsToBoot(['fan', '-j5', '--threads', 'mf-map', 'r'])).toBe(5);
    expect(threadsToBoot(['fan', '--threads', '--workers', '2', '--', 'x'])).toBe(2);
    expect(threadsToBoot(['fan', '--workers=7', '--threads', '--', 'x'])).toBe(7);
    expect(threadsToBoot(['fan', '-j', '100', '--threads', '--', 'x'])).toBe(64);
    // --threads among the filter's own arguments is not manifold's.
    expect(threadsToBoot(['fan', '-j', '2', '--', 'mf-map', '--threads'])).toBe(0);
    expect(threadsToBoot(['fan', '-j', '2', '--', 'cat'])).toBe(0);
    expect(threadsToBoot(['run', 'job.yaml'])).toBe(0);
    expect(threadsToBoot(['fan', '-j', '2', '--threads', '--help'])).toBe(0);
    expect(threadsToBoot(['fan', '-j', 'many', '--threads', '--', 'x'])).toBe(0);
    expect(threadsToBoot(['fan', '-j', '2', '--threads', '--thread-heap', '64M', '--', 'x'])).toBe(
      0,
    );
    expect(threadsToBoot(['fan', '--threads', '--host', 'h1', '--', 'x'])).toBe(0);
    expect(threadsToBoot(['fan', '--threads', '--queue=nats://q:4222', '--', 'x'])).toBe(0);
  });
});
