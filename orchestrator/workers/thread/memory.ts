import { FROM_WORKER_HEADER } from '../../../filters/protocol.js';
import { takeBack } from '../gift.js';
import { lend, repay } from '../lent.js';
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

/**
 * Hands on a thread's output, runs of whole messages in the buffers it sent, to `output`. Each
 * buffer is lent for all its runs' payloads, and a byte held until all are handed on: a run
 * written at once must not give back a buffer whose later runs (or headers) are still to be
 * read. Once written, a buffer carries a block to a thread again.
 */
export function handOn(
  buffers: ArrayBuffer[],
  runs: number[],
  output: (chunk: Buffer) => void,
): void {
  const outputs: Buffer[] = [];
  const payloads = new Array<number>(buffers.length).fill(0);
  for (let i = 0; i < runs.length; i += 3) {
    const index = runs[i]!;
    const chunk = Buffer.from(buffers[index]!, runs[i + 1]!, runs[i + 2]! - runs[i + 1]!);
    payloads[index]! += payloadBytes(chunk);
    outputs.push(chunk);
  }
  for (const [i, buffer] of buffers.entries()) lend(buffer, payloads[i]! + 1, giveBack);
  for (const chunk of outputs) output(chunk);
  for (const buffer of buffers) repay(buffer, 1);
}
