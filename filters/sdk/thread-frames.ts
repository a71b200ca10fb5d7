import { FROM_WORKER_HEADER } from '../protocol.js';

// How a thread's output is framed in the block protocol's messages for the trip to manifold:
// where it lies in the thread's output memory (thread.ts), or copied into pieces of its own.

/** The most output bytes in one piece: below malloc's threshold for a mapping of its own. */
const PIECE = 64 * 1024 - 2 * FROM_WORKER_HEADER;
const HEADER = FROM_WORKER_HEADER;

/** Output of one block sent at once: its parts, and where it was framed in place if it was. */
export interface Segment {
  block: number;
  parts: Buffer[];
  bytes: number;
  end: boolean;
  /** Framed where it lies, in the output memory: from `start` to `stop`. Else -1, -1. */
  start: number;
  stop: number;
}

/**
 * Adds bytes `start` to `stop` of `buffer` to the runs sent (`runs`: triples of a buffer's index
 * in `buffers`, a start and a stop), joined to the last run where it goes on from it.
 */
export function addRun(
  buffers: ArrayBuffer[],
  runs: number[],
  buffer: ArrayBuffer,
  start: number,
  stop: number,
): void {
  let index = buffers.indexOf(buffer);
  if (index < 0) index = buffers.push(buffer) - 1;
  const last = runs.length - 3;
  if (last >= 0 && runs[last] === index && runs[last + 2] === start) runs[last + 2] = stop;
  else runs.push(index, start, stop);
}

/** A segment framed in pieces of at most PIECE bytes, each a buffer of its own. */
export function frameInPieces(segment: Segment, buffers: ArrayBuffer[], runs: number[]): void {
  const { block, parts, end } = segment;
  let left = segment.bytes;
  let part = 0;
  let offset = 0;
  do {
    const length = Math.min(left, PIECE);
    left -= length;
    // The block's end closes its last piece; an empty block's is a piece of its own.
    const closing = end && left === 0;
    const piece = Buffer.allocUnsafeSlow(
      (length > 0 ? HEADER + length : 0) + (closing ? HEADER : 0),
    );
    let at = length > 0 ? writeHeader(piece, 0, block, length) : 0;
    while (at < HEADER + length && length > 0) {
      const source = parts[part]!;
      const n = Math.min(source.length - offset, HEADER + length - at);
      piece.set(n === source.length ? source : source.subarray(offset, offset + n), at);
      at += n;
      offset += n;
      if (offset === source.length) {
        part++;
        offset = 0;
      }
    }
    if (closing) writeHeader(piece, at, block, 0);
    addRun(buffers, runs, piece.buffer as ArrayBuffer, 0, piece.length);
  } while (left > 0);
}

export function writeHeader(target: Buffer, at: number, block: number, length: number): number {
  target.writeUInt32BE(block, at);
  target.writeUInt32BE(length, at + 4);
  return at + HEADER;
}
