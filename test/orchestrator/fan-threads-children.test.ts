import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { commandOf, holdsWithin, statOf, tracked } from '../support/proc.js';
import { spawnManifold, watch, within } from '../support/spawn.js';

// A thread's filter that started a child of its own (a helper process): a process worker's
// child goes with it, its process group signalled, but a thread's children are manifold's
// own, in manifold's group, and were left running when a signal ended manifold
// (`sleep 300` still there after exit 143). Now a thread stopped takes its children with it.

/** Whether the process is still alive (not gone, not a zombie, not another by a reused pid). */
const alive = ({ pid, start }: { pid: number; start: string }) => {
  const stat = statOf(pid);
  return stat !== null && stat.start === start && stat.state !== 'Z';
};

describe('children of thread workers', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s ends them with their threads: manifold exits %i', async (signal, status) => {
    // Blocks of 10 records (-N 10): both threads are given some, and start.
    const args = ['fan', '-j', '2', '-N', '10', '--threads', '--', fixture('thread-child.js')];
    const child = spawnManifold(args);
    const stderr = watch(child.stderr!);
    child.stdin!.write(numbered(1, 100)); // and stdin stays open
    const lines = await stderr.waitFor(/^child \d+$/, 2);
    const children = tracked(lines.map((line) => Number(line.split(' ')[1])));
    expect(children.filter(alive)).toHaveLength(2);
    child.kill(signal);
    const [code] = await within(
      once(child, 'exit'),
      10_000,
      () => `manifold did not exit on ${signal}`,
    );
    expect(code).toBe(status);
    // Signalled before manifold exits; their end is seen a moment later.
    await holdsWithin(() => children.filter(alive).length === 0, 10_000);
    expect(children.filter(alive).map(({ pid }) => pid)).toEqual([]);
  });

  // One that ignores SIGTERM was left running after manifold exited: the thread was terminated
  // at once, and with it the SIGKILL 2 s later (it had ended). Now the thread ends once it has
  // waited for its children, and until then gets SIGKILL as any worker still there does.
  it('SIGINT: a child that ignores SIGTERM gets SIGKILL before manifold exits 130', async () => {
    const args = ['fan', '-j', '1', '--threads', '--', fixture('thread-await-child.js')];
    const child = spawnManifold(args);
    const stderr = watch(child.stderr!);
    child.stdin!.write('stubborn\n'); // and stdin stays open
    const [line] = await stderr.waitFor(/^child \d+$/, 1);
    const [stubborn] = tracked([Number(line!.split(' ')[1])]);
    // Its shell has set SIGTERM aside, and become the `sleep`.
    expect(await holdsWithin(() => commandOf(stubborn!.pid) === 'sleep 300', 10_000)).toBe(true);
    child.kill('SIGINT');
    const [code] = await within(once(child, 'exit'), 15_000, 'manifold did not exit on SIGINT');
    expect(code).toBe(130);
    await holdsWithin(() => !alive(stubborn!), 10_000);
    expect(alive(stubborn!)).toBe(false);
  });
});
