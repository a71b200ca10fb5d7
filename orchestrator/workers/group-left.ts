import { groupMembers, hasEnded } from './proc-stat.js';

// What a stopped worker leaves in its process group: its leader (the worker's process) ended on
// the first signal of a stop, and a child that takes that signal (a trap, a handler) runs on. The
// steps after the first went to workers still running only, and manifold, not waiting for a
// worker that had ended, exited before them: the child was left running for good.

/** How often a group left running is looked at again, in milliseconds. */
const LOOK_MS = 20;

/**
 * Waits until each of `groups` has no process left, or until `until()` (when the stop's sequence
 * would send SIGKILL: sooner if a second signal cuts it short), and kills what is left then, as
 * the sequence would have.
 */
export async function endGroupsLeft(groups: readonly number[], until: () => number): Promise<void> {
  let left = running(groups.filter((pgid) => pgid > 0));
  while (left.length > 0 && Date.now() < until()) {
    await new Promise((resolve) => setTimeout(resolve, LOOK_MS));
    left = running(left);
  }
  for (const pgid of left) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

/** Those of `groups` with a process still running (a zombie is not): one look at /proc. */
function running(groups: readonly number[]): number[] {
  const members = groupMembers(new Set(groups));
  return groups.filter((pgid) => members.get(pgid)?.some((pid) => !hasEnded(pid)) === true);
}
