import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';

// `-j` as GNU parallel's takes it: a number, or relative to the CPUs: `+N`, `-N`, `N%` rounded
// up: `-j 50%`, `-j +1` and `-j -1` are no usage errors.

const CPUS = availableParallelism();

/** The worker numbers of a broadcast fan: every worker says its number once. */
async function workersOf(...jobs: string[]): Promise<number> {
  const result = await run(
    manifold,
    [
      'fan',
      ...jobs,
      '--dispatch',
      'broadcast',
      '--shell',
      '--',
      'cat >/dev/null; echo $MANIFOLD_WORKER',
    ],
    'a\n',
  );
  expect(result.stderr.toString()).toBe('');
  const seen = result.stdout.toString().trim().split('\n').map(Number);
  return new Set(seen).size;
}

describe('-j relative to the CPUs', () => {
  it.for([
    ['+1', CPUS + 1],
    ['+0', CPUS],
    ['100%', CPUS],
    ['150%', Math.ceil(CPUS * 1.5)],
    ['12.5%', Math.ceil(CPUS / 8)],
    ['1%', 1],
  ] as const)('-j %s is %d workers', async ([given, workers]) => {
    expect(await workersOf('-j', given)).toBe(workers);
  });

  it('-j -1, --workers=+2 and -j+1 (the value attached)', async () => {
    if (CPUS > 1) expect(await workersOf('-j', '-1')).toBe(CPUS - 1);
    expect(await workersOf('--workers=+2')).toBe(CPUS + 2);
    expect(await workersOf('-j+1')).toBe(CPUS + 1);
  });

  it('one that comes to no worker, or 0, is a usage error saying why', async () => {
    const [none, zero, bad] = await Promise.all([
      run(manifold, ['fan', '-j', `-${CPUS}`, '--', 'cat'], 'a\n'),
      run(manifold, ['fan', '-j', '0', '--', 'cat'], 'a\n'),
      run(manifold, ['fan', '-j', '5%%', '--', 'cat'], 'a\n'),
    ]);
    expect([none.exitCode, none.stdout.length, none.stderr.toString()]).toEqual([
      2,
      0,
      `manifold: -j, --workers -${CPUS} is 0 workers on this machine's ${CPUS} CPUs: it needs from 1 to 4096 (see 'manifold fan --help')\n`,
    ]);
    expect([zero.exitCode, zero.stderr.toString()]).toEqual([
      2,
      `manifold: -j, --workers 0 (GNU parallel's "as many as can run") has no meaning for a fan, whose blocks wait for a worker: give a number from 1 to 4096, or +N, -N, N% of the CPUs (see 'manifold fan --help')\n`,
    ]);
    expect([bad.exitCode, bad.stderr.toString()]).toEqual([
      2,
      "manifold: -j, --workers must be a whole number from 1 to 4096, or +N, -N, N% of the CPUs (got 5%%) (see 'manifold fan --help')\n",
    ]);
  });

  it('with --host: refused, a host counts its own CPUs', async () => {
    const result = await run(manifold, ['fan', '-j', '50%', '--host', 'h1', '--', 'cat'], 'a\n');
    expect([result.exitCode, result.stderr.toString()]).toEqual([
      2,
      "manifold: -j 50% counts this machine's CPUs, not a host's: with --host give -j a number, or each host its slots (host/N) (see 'manifold fan --help')\n",
    ]);
  });

  it('manifold worker --queue takes them too: -j 0 is refused before the queue is asked', async () => {
    const result = await run(
      manifold,
      ['worker', '--queue', 'nats://127.0.0.1:9', '-j', '0', '--', 'cat'],
      '',
    );
    expect([result.exitCode, result.stderr.toString()]).toEqual([
      2,
      expect.stringMatching(/^manifold: -j, --workers 0 \(GNU parallel's/),
    ]);
  });
});
