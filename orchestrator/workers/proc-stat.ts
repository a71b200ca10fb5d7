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
