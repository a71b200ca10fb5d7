import { readdirSync, readFileSync } from 'node:fs';
import { statFields } from '../workers/proc-stat.js';

const TICK = 100; // clock ticks per second for /proc/<pid>/stat

/** What one process has done so far, by itself (not counting children it has reaped). */
export interface Sample {
  read: number;
  written: number;
  cpu: number;
}

export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * A process's own I/O and CPU time. Its /proc/<pid>/io would add in the children it has reaped
 * (a shell's, at their end), counting them twice beside their own samples: the per-thread
 * figures count each thread alone.
 */
export function readSample(pid: number): Sample | null {
  const fields = statFields(pid);
  if (fields === null) return null;
  const cpu = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
  let read = 0;
  let written = 0;
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  for (const thread of threads) {
    const io = readText(`/proc/${pid}/task/${thread}/io`);
    if (io === null) continue;
    read += Number(/^rchar: (\d+)$/m.exec(io)?.[1] ?? 0);
    written += Number(/^wchar: (\d+)$/m.exec(io)?.[1] ?? 0);
  }
  return { read, written, cpu };
}
