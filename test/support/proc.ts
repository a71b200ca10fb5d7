import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { onCleanup } from './cleanup.js';
import { tempDir } from './temp.js';

// Processes as /proc shows them: for what gives no event, such as the end of a process that
// is not our child, or a process's peak memory.

export interface ProcStat {
  state: string;
  ppid: number;
  /** Start time in clock ticks since boot: a reused pid has another. */
  start: string;
  /** Minor page faults so far: each first touch of fresh memory is one (per 4 KiB). */
  minorFaults: number;
}

export function statOf(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      state: fields[0]!,
      ppid: Number(fields[1]),
      start: fields[19]!,
      minorFaults: Number(fields[7]),
    };
  } catch {
    return null;
  }
}

/** Whether every thread of `pid` is stopped (SIGSTOP takes effect a moment after `kill`). */
export function stoppedAll(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).every((task) => {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'latin1');
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
    });
  } catch {
    return false;
  }
}

/** A process's environment as /proc shows it: NUL-ended `NAME=value` entries ('' when gone). */
export function environOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/** Every process below `root`, by parent pid. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(Number(name));
    if (stat === null) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The children of `parent` that are zombies: ended, and not waited for. */
export function zombiesOf(parent: number): number[] {
  return readdirSync('/proc').flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    const stat = statOf(Number(name));
    return stat?.ppid === parent && stat.state === 'Z' ? [Number(name)] : [];
  });
}

/** A process as found now, so that a later check is not fooled by a reused pid. */
export interface Proc {
  pid: number;
  start: string;
}

export const procsOf = (pids: number[]): Proc[] =>
  pids.flatMap((pid) => {
    const stat = statOf(pid);
    return stat === null ? [] : [{ pid, start: stat.start }];
  });

/** The processes of `pids` as found now, killed after the test if they are still there. */
export function tracked(pids: number[]): Proc[] {
  const procs = procsOf(pids);
  onCleanup(() => killLeftovers(procs));
  return procs;
}

/** The pids recorded as file names in `dir` (fixtures write them there under MF_PIDS). */
export const pidsIn = (dir: string) => readdirSync(dir).map(Number);

/**
 * A fresh folder where fixtures record their pids as file names (MF_PIDS, PIPE_PIDS); what is
 * left of them is killed after the test.
 */
export function pidDir(): string {
  const dir = join(tempDir('manifold-pids-'), 'pids');
  mkdirSync(dir);
  onCleanup(() => {
    // A recorded pid may be another process's by now (pid_max is 32,768 on the test machines,
    // and the suite starts tens of thousands of processes): only one whose environment names
    // this folder (MF_PIDS, PIPE_PIDS) is a fixture of this test's.
    for (const pid of pidsIn(dir)) if (environOf(pid).includes(`=${dir}\0`)) killQuietly(pid);
  });
  return dir;
}

/** Kills what is left of `procs`, quietly: the cleanup after a failed test. */
export function killLeftovers(procs: Proc[]): void {
  for (const { pid, start } of procs) if (statOf(pid)?.start === start) killQuietly(pid);
}

/**
 * Kills `child` and everything below it, if it is still running (once it has exited, its pid
 * may be another process's, and so may its children's): a process starter leads a group of its
 * own, and killed alone, the child leaves it waiting for commands that may wait for ever. The
 * child goes first, so that it cannot see what it started end (a worker lost, not one that saw
 * its block fail); what was below it is found before, as after it they are init's.
 */
export function killFamily(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const below = descendants(child.pid!);
  killQuietly(child.pid!);
  for (const pid of below) killQuietly(pid);
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/** Whether `condition` holds within `ms` (0: checked once, now), looking every 20 ms. */
export async function holdsWithin(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (condition()) return true;
    if (Date.now() >= deadline) return false;
    await delay(20);
  }
}

/**
 * The processes that still exist after `graceMs`, each described with its state, so a
 * zombie (Z) shows as one.
 */
export async function leftovers(procs: Proc[], graceMs: number): Promise<string[]> {
  const left = () =>
    procs.flatMap(({ pid, start }) => {
      const stat = statOf(pid);
      if (stat === null || stat.start !== start) return [];
      const zombie = stat.state === 'Z' ? ' (zombie)' : '';
      return [`pid ${pid} in state ${stat.state}${zombie}: ${commandOf(pid)}`];
    });
  await holdsWithin(() => left().length === 0, graceMs);
  return left();
}

/** A field of /proc/<pid>/status in KiB (VmHWM: peak resident memory), or null when gone. */
export function statusKiB(pid: number, field: 'VmHWM' | 'VmRSS' | 'VmPeak'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}

/**
 * The kernel functions a writer waits in when its pipe is full: a shell's pipe, or the Unix
 * socket pair that Node (libuv) gives a child for its stdio.
 */
const FULL_PIPE_WAITS = ['pipe_write', 'sock_alloc_send_pskb', 'unix_stream_sendmsg'];

/** Whether a thread of `pid` waits in a kernel function named like `wait` (its wchan). */
export function waitsIn(pid: number, wait: RegExp): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some((task) =>
      wait.test(readFileSync(`/proc/${pid}/task/${task}/wchan`, 'latin1')),
    );
  } catch {
    return false; // gone
  }
}

/** Whether a thread of `pid` is blocked writing into a full pipe (its wchan says so). */
export const writingIntoFullPipe = (pid: number) =>
  waitsIn(pid, new RegExp(FULL_PIPE_WAITS.join('|')));

/** The processes whose command line holds `text` (a path, a folder of a test's own). */
export const runningWith = (text: string): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => commandOf(pid).includes(text));

/** The processes whose working folder is `dir` (a zombie has none). */
export function workingIn(dir: string): number[] {
  return readdirSync('/proc').flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    try {
      return readlinkSync(`/proc/${name}/cwd`) === dir ? [Number(name)] : [];
    } catch {
      return []; // gone, or a zombie
    }
  });
}
