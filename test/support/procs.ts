import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

// Processes as /proc shows them, to find what a run left behind.

/** A process, told apart from a later one with the same pid by its start time. */
export interface Proc {
  pid: number;
  start: string;
}

function statOf(pid: number): { state: string; start: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, start: fields[19]! };
  } catch {
    return null;
  }
}

/** The processes among `pids` that exist now. */
export function trackPids(pids: number[]): Proc[] {
  return pids.flatMap((pid) => {
    const stat = statOf(pid);
    return stat === null ? [] : [{ pid, start: stat.start }];
  });
}

/** The pids recorded as file names in `dir` (fixtures write them there under MF_PIDS). */
export const pidsIn = (dir: string) => readdirSync(dir).map(Number);

/**
 * The processes still there after `graceMs`, each with its state (Z: a zombie), polling /proc:
 * there is no event for the end of a process that is not our child.
 */
export async function leftovers(procs: Proc[], graceMs: number): Promise<string[]> {
  const left = () =>
    procs.flatMap(({ pid, start }) => {
      const stat = statOf(pid);
      return stat === null || stat.start !== start ? [] : [`pid ${pid} in state ${stat.state}`];
    });
  const deadline = Date.now() + graceMs;
  while (left().length > 0 && Date.now() < deadline) await delay(20);
  return left();
}

/** Kills what is left of `procs`, quietly: the cleanup after a failed test. */
export function killLeftovers(procs: Proc[]): void {
  for (const { pid, start } of procs) {
    if (statOf(pid)?.start !== start) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
