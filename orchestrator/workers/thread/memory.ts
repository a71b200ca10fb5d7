import { FROM_WORKER_HEADER } from '../../../filters/protocol.js';
import { takeBack } from '../gift.js';
import { BufferPool } from './pool.js';

/** One pool for every thread of the process: blocks are given to whichever thread is ready. */
export const pool = new BufferPool();

/** Memory back from a thread: to the range reader it came from (gift.ts), or to the pool. */
export const giveBack = (buffer: ArrayBuffer): void => {
  if (!takeBack(buffer)) pool.give([buffer]);
};

/** The bytes of a thread's output handed on as output: its messages' payloads. */
export function payloadBytes(messages: Buffer): number {
  let bytes = 0;
  for (let at = 0; at + FROM_WORKER_HEADER <= messages.length; ) {
    const length = messages.readUInt32BE(at + 4);
    bytes += length;
    at += FROM_WORKER_HEADER + length;
  }
  return bytes;
}

/** Runs of an older SDK's output (protocols 1 and 2): each buffer's first `lengths[i]` bytes. */
export function wholeRuns(lengths: number[]): number[] {
  return lengths.flatMap((length, i) => [i, 0, length]);
}
