import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { holdsWithin, type Proc, statOf, tracked, zombiesOf } from '../support/proc.js';
import { spawnManifold, watch, within } from '../support/spawn.js';

// A thread's filter that started a helper process and ended with it still running (its input
// done, or its block failed): the helper, a child of manifold's, was left a zombie once it ended,
// until manifold exited. Node waits for a child only in the thread that started it, and that
// thread was gone. Now the thread stays, idle, until its children have ended, and waits for them;
// manifold goes on without it.

/** Whether the process is there at all: running, or a zombie nobody has waited for. */
const there = (proc: Proc | undefined) =>
  proc !== undefined && statOf(proc.pid)?.start === proc.start;
const zombie = (proc: Proc | undefined) => there(proc) && statOf(proc!.pid)?.state === 'Z';

/**
 * manifold running a thread that fails its first block (`line`: by an error, or by
 * process.exit(4)), and another thread for the next blocks; the helper of the first (undefined if gone already), once its thread has ended.
 */
async function failedThread(helper: 'cat' | 'sleep', line: 'fail' | 'exit' = 'fail') {
  const args = ['fan', '-j', '1', '--block', '4', '--threads', '--halt', 'never', '--'];
  const child = spawnManifold([...args, fixture('thread-helper.js')], { HELPER: helper });
  const stderr = watch(child.stderr!);
  child.stdin!.write(`${line}\nnext\nmore\n`); // and stdin stays open: manifold goes on
  const helperOf = (line: string) => tracked([Number(line.split(' ')[1])])[0];
  const [first] = await stderr.waitFor(/^helper \d+$/, 1);
  const proc = helperOf(first!);
  await stderr.waitFor(/exited with status [14] on block 1\b/, 1);
  const [, second] = await stderr.waitFor(/^helper \d+$/, 2);
  helperOf(second!);
  return { child, helper: proc };
}

describe('helpers started by thread workers', () => {
  it('a helper that ends with its pipe from the thread is waited for once the thread ended', async () => {
    const { child, helper } = await failedThread('cat');
    const gone = await holdsWithin(() => !there(helper), 10_000);
    expect({ gone, zombie: zombie(helper) }).toEqual({ gone: true, zombie: false });
    expect(child.exitCode).toBe(null); // manifold still runs
  });

  it('a helper that ends later is waited for when it ends', async () => {
    const { child, helper } = await failedThread('sleep');
    expect(there(helper) && !zombie(helper)).toBe(true);
    process.kill(helper!.pid, 'SIGTERM');
    const gone = await holdsWithin(() => !there(helper), 10_000);
    expect({ gone, zombie: zombie(helper) }).toEqual({ gone: true, zombie: false });
    expect(child.exitCode).toBe(null);
  });

  // Not so for a filter that ends its thread with process.exit(): Node ends the thread then and
  // there, and no other thread can wait for its children (docs/fan.md says why). Pinned.
  it('a helper of a filter that called process.exit() is left a zombie once it ends', async () => {
    const { child, helper } = await failedThread('cat', 'exit');
    // Its pipe from the thread closed with the thread: it ends, and nobody waits for it.
    const ended = await holdsWithin(() => zombie(helper), 10_000);
    expect({ ended, zombies: zombiesOf(child.pid!) }).toEqual({
      ended: true,
      zombies: [helper!.pid],
    });
    expect(child.exitCode).toBe(null);
  });

  it('manifold does not wait for a helper still running when the input ends', async () => {
    const args = ['-j', '2', '--threads', '--', fixture('thread-helper.js')];
    const run = fan(args, 'a\nb\n');
    const result = await within(run, 20_000, "manifold waited for its threads' helpers");
    const helpers = tracked(
      [...result.stderr.matchAll(/^helper (\d+)$/gm)].map((match) => Number(match[1])),
    );
    expect({ exitCode: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      exitCode: 0,
      stdout: 'a\nb\n',
    });
    // Left running, as a process worker's are.
    expect(helpers.length).toBeGreaterThan(0);
    expect(helpers.filter(there)).toEqual(helpers);
  });
});
