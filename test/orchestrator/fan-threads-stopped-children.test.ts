import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { holdsWithin, type Proc, statOf, tracked, zombiesOf } from '../support/proc.js';
import { spawnManifold, watch } from '../support/spawn.js';

// A thread that manifold stops (here by --timeout, the run going on) while its filter waits for
// a child it started: the child got its signal and ended, but the thread was terminated at once,
// and Node waits for a child only in the event loop of the thread that started it: the child
// stayed a zombie of manifold's until manifold exited. Now the thread is terminated once it has
// waited for its children. A thread spinning in its filter's code runs no loop and cannot wait
// for them: that child stays a zombie (docs/fan.md), pinned here.

const there = (proc: Proc) => statOf(proc.pid)?.start === proc.start;
const zombie = (proc: Proc) => there(proc) && statOf(proc.pid)?.state === 'Z';

/** manifold with one thread whose first block (`line`) times out; its child, once it has. */
async function timedOut(line: 'wait' | 'spin') {
  const args = ['fan', '-j', '1', '--block', '5', '--threads', '--timeout', '1s'];
  const child = spawnManifold([...args, '--halt', 'never', '--', fixture('thread-await-child.js')]);
  const stderr = watch(child.stderr!);
  const stdout = watch(child.stdout!);
  child.stdin!.write(`${line}\n`); // and stdin stays open: manifold goes on
  const [started] = await stderr.waitFor(/^child \d+$/, 1);
  const [proc] = tracked([Number(started!.split(' ')[1])]);
  await stderr.waitFor(/timed out after 1s on block 1\b/, 1);
  // The run goes on, on a fresh thread.
  child.stdin!.write('next\n');
  await stdout.waitFor(/^next$/, 1);
  return { manifold: child, proc: proc!, stdout };
}

describe('children of thread workers that manifold stops', () => {
  it('a child the thread waits for is waited for before the thread ends, not left a zombie', async () => {
    const { manifold, proc, stdout } = await timedOut('wait');
    const gone = await holdsWithin(() => !there(proc), 10_000);
    expect({ gone, zombies: zombiesOf(manifold.pid!) }).toEqual({ gone: true, zombies: [] });
    expect(manifold.exitCode).toBe(null); // manifold still runs
    // What the stopped thread returned once its child ended is not output.
    expect(stdout.text).toBe('next\n');
  });

  it("a thread spinning in its filter's code cannot wait for its child: a zombie", async () => {
    const { manifold, proc } = await timedOut('spin');
    expect(zombie(proc)).toBe(true);
    expect(zombiesOf(manifold.pid!)).toEqual([proc.pid]);
    expect(manifold.exitCode).toBe(null);
  });
});
