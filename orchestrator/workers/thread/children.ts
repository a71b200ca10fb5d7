import { readFileSync } from 'node:fs';

/**
 * Signals the processes a thread of manifold's started (`task`: its id in the system), as a
 * process worker's are signalled with it through its process group: a thread's children are
 * manifold's own, in manifold's group, and would outlive a stopped thread, and manifold. Linux
 * lists each thread's children in /proc; elsewhere, or once the thread has ended (its children
 * then belong to another of manifold's threads), there is nothing to read and nothing is done.
 */
export function signalChildren(task: number, signal: NodeJS.Signals): void {
  let listed: string;
  try {
    listed = readFileSync(`/proc/self/task/${task}/children`, 'latin1');
  } catch {
    return;
  }
  for (const pid of listed.split(' ')) {
    if (pid === '') continue;
    try {
      process.kill(Number(pid), signal);
    } catch {
      // Ended already.
    }
  }
}
