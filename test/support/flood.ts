import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { statOf, statusKiB } from './proc.js';

/** What `floodTotals` read. */
export interface FloodTotals {
  bytes: number;
  /** Whole 16-byte lines, and how many did not end with a newline. */
  count: number;
  malformed: number;
  /** The sum of the lines' numbers; lines out of order: one not one more than the last. */
  sum: number;
  unordered: number;
  /** Bytes at the end that were not a whole line. */
  carry: number;
}

/**
 * Reads the numbered 16-byte lines of the sig-flood fixture ("000000000000001\n"...) from
 * `stream` to its end, with `each` called after every chunk (the bytes so far): to sample a
 * process, or to read slowly.
 */
export async function floodTotals(
  stream: Readable,
  each: (bytes: number) => void = () => {},
): Promise<FloodTotals> {
  const totals: FloodTotals = { bytes: 0, count: 0, malformed: 0, sum: 0, unordered: 0, carry: 0 };
  let carry = Buffer.alloc(0);
  let last = 0;
  const ended = once(stream, 'end');
  stream.on('data', (chunk: Buffer) => {
    totals.bytes += chunk.length;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const whole = data.length - (data.length % 16);
    for (let at = 0; at < whole; at += 16) {
      let n = 0;
      for (let i = at; i < at + 15; i++) n = n * 10 + data[i]! - 48;
      if (data[at + 15] !== 10) totals.malformed++;
      if (n !== last + 1) totals.unordered++;
      last = n;
      totals.sum += n;
      totals.count++;
    }
    carry = Buffer.from(data.subarray(whole));
    each(totals.bytes);
  });
  await ended;
  totals.carry = carry.length;
  return totals;
}

/** What `floodTotals` reads of `megabytes` MiB of sig-flood's lines, all there, in order. */
export function floodExpected(megabytes: number, ordered: boolean): Partial<FloodTotals> {
  const lines = (megabytes * 1024 * 1024) / 16;
  const whole = { bytes: lines * 16, count: lines, sum: (lines * (lines + 1)) / 2 };
  return { ...whole, malformed: 0, carry: 0, ...(ordered ? { unordered: 0 } : {}) };
}

/**
 * The peak memory (VmHWM, bytes) and the minor page faults of process `pid` while `total`
 * bytes of its output are read: `look` at every read (the bytes so far) looks every 16 MiB and
 * over the last 2 MiB, when the process still runs. Null until a look found it running.
 */
export function peakWatch(
  pid: number,
  total: number,
): { look(bytes: number): void; peak: number | null; faults: number | null } {
  let next = 0;
  const watch = {
    peak: null as number | null,
    faults: null as number | null,
    look(bytes: number) {
      if (bytes < next && bytes < total - 2 * 1024 * 1024) return;
      const kib = statusKiB(pid, 'VmHWM');
      const stat = statOf(pid);
      if (kib !== null && stat !== null) {
        watch.peak = kib * 1024;
        watch.faults = stat.minorFaults;
      }
      next = bytes + 16 * 1024 * 1024;
    },
  };
  return watch;
}
