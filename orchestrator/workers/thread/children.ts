import { readFileSync } from 'node:fs';
import { hasEnded } from '../proc-stat.js';

/** How often a stopped thread's children are looked at, until its loop has waited for them. */
const LOOK_EVERY_MS = 10;
/** Children all ended this long and not waited for: the thread's loop is not running. */
const STUCK_MS = 500;
/** A child still running this long after its signal is left to itself. */
const GIVE_UP_MS = 5000;

/**
 * Signals the processes a thread of manifold's started (`task`: its id in the system), as a
 * process worker's are signalled with it through its process group: a thread's children are
 * manifold's own, in manifold's group, and would outlive a stopped thread, and manifold. Linux
 * lists each thread's children in /proc; elsewhere, or once the thread has ended (its children
 * then belong to another of manifold's threads), there is nothing to read and nothing is done.
 */
export function signalChildren(task: number, signal: NodeJS.Signals): void {
  for (const pid of childrenOf(task)) {
    try {
      process.kill(pid, signal);
    } catch {
      // Ended already.
    }
  }
}

/**
 * Resolves once the thread `task` has waited for the children it started (signalled, they
 * end): only then may it be terminated. Node waits for a child only in the event loop of the
 * thread that started it, and nothing in Node can wait for it once that loop is gone: a child
 * ending after, or not waited for before, stays a zombie of manifold's until manifold exits.
 * A thread busy in its filter's code (an endless loop) runs no loop and cannot wait for them:
 * once they have all ended and stayed unwaited for STUCK_MS, or one still runs after
 * GIVE_UP_MS, this resolves anyway (docs/fan.md says what is left then).
 */
export function childrenWaited(task: number): Promise<void> {
  const start = Date.now();
  let endedSince: number | null = null;
  return new Promise((resolve) => {
    const look = (): void => {
      const children = childrenOf(task);
      const now = Date.now();
      const allEnded = children.every(hasEnded);
      endedSince = allEnded ? (endedSince ?? now) : null;
      const done =
        children.length === 0 ||
        (endedSince !== null && now - endedSince >= STUCK_MS) ||
        now - start >= GIVE_UP_MS;
      if (done) resolve();
      else setTimeout(look, LOOK_EVERY_MS).unref();
    };
    look();
  });
}

/** The children of the thread `task` not yet waited for (zombies among them); none if unknown. */
function childrenOf(task: number): number[] {
  let listed: string;
  try {
    listed = readFileSync(`/proc/self/task/${task}/children`, 'latin1');
  } catch {
    return [];
  }
  return listed
    .split(' ')
    .filter((pid) => pid !== '')
    .map(Number);
}
