import { readdirSync, readFileSync } from 'node:fs';

// What /proc says of processes, for any layer: the fields of a process's stat, and the pids
// there are. Linux only; elsewhere (no /proc) there are no processes to find and no fields.

/**
 * The fields of /proc/<pid>/stat after the command name (the 3rd field on: state, ppid, pgrp,
 * session, ...), or null once the process is gone. The name may hold spaces and parentheses:
 * the fields start after its last `)`.
 */
export function statFields(pid: number | string): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The pids in /proc now, as its entries name them; none where it cannot be read. */
export function procPids(): string[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}

/** Whether a process has ended: gone, or dead and waiting to be reaped (a zombie). */
export function hasEnded(pid: number | string): boolean {
  const state = statFields(pid)?.[0];
  return state === undefined || state === 'Z' || state === 'X';
}

/**
 * The processes of each of `groups`, by process group. A stage's command leads its own group,
 * and the work of a string stage is done by the shell's children (`sh -c 'awk ...'`), which
 * /proc would not show under the shell's own pid.
 */
export function groupMembers(groups: Set<number>): Map<number, number[]> {
  const members = new Map<number, number[]>();
  if (groups.size === 0) return members;
  for (const entry of procPids()) {
    const group = Number(statFields(entry)?.[2]);
    if (!groups.has(group)) continue;
    const list = members.get(group) ?? [];
    list.push(Number(entry));
    members.set(group, list);
  }
  return members;
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Waits, blocking, until a process sent SIGKILL has ended, at most `limitMs`; whether it has.
 * The signal is delivered at once, but the process ends only once it runs again: on a busy
 * machine, some milliseconds later, with its /proc entry (its working folder, its open files)
 * there meanwhile.
 */
export function awaitEnd(pid: number, limitMs: number): boolean {
  const until = Date.now() + limitMs;
  while (!hasEnded(pid)) {
    if (Date.now() >= until) return false;
    Atomics.wait(PAUSE, 0, 0, 1);
  }
  return true;
}
