import { randomBytes } from 'node:crypto';
import type { MsgHdrs } from '@nats-io/transport-node';
import { headers } from '@nats-io/transport-node';
import {
  crc32,
  decodeHeader,
  encodeFrame,
  FRAME_HEADER,
  FrameError,
  type FrameKind,
} from '../frame/index.js';

/**
 * The queue's messages: each one frame (`../frame/`) as its data, so that its sequence, its run
 * and a checksum of its payload travel with it, and a few NATS headers for what the frame has no
 * field for. The kinds, as the queue's protocol uses them:
 * - Hello: the job's description (JSON), once per job;
 * - Block: a block (run: the job's run id; seq: the block's); headers: its first record's number
 *   and its count of records; a copy stored again by a worker that gave the block back untried
 *   also carries the deliveries of the block that counted before it (HEADER_COUNTED);
 * - Output: a piece of a block's output (run: the attempt's id); header: the piece's index;
 * - BlockEnd: the block's output is complete (run: the attempt); header: how many pieces;
 * - Error: the block failed on its last try (payload: why, as a person reads it, and the try's
 *   `TryReport` fields);
 * - Hello on the header subject: the input's header (--header), before any block; header: its
 *   count of records.
 * A BlockEnd also carries the try that made the output (`TryReport`, the HEADER_TRY_* headers)
 * for --joblog; an answer without them (an older worker) is logged as a local fan's would be.
 * A BlockEnd and an Error carry the checksum of the block's bytes the worker ran (HEADER_INPUT;
 * `input` in an Error's JSON): a coordinator resuming the job takes a stored answer only for a
 * block of the same bytes.
 */
export const HEADER_FIRST_RECORD = 'Manifold-First-Record';
export const HEADER_RECORDS = 'Manifold-Records';
export const HEADER_COUNTED = 'Manifold-Counted';
export const HEADER_PIECE = 'Manifold-Piece';
export const HEADER_PIECES = 'Manifold-Pieces';
export const HEADER_INPUT = 'Manifold-Input';
export const HEADER_TRY_HOST = 'Manifold-Host';
export const HEADER_TRY_SLOT = 'Manifold-Slot';
export const HEADER_TRY_START = 'Manifold-Start';
export const HEADER_TRY_RUNTIME = 'Manifold-Runtime';
export const HEADER_TRY_ATTEMPTS = 'Manifold-Attempts';
export const HEADER_TRY_EXIT = 'Manifold-Exit';
export const HEADER_TRY_SIGNAL = 'Manifold-Signal';

/**
 * Room kept in each message for the frame's header and the NATS headers (a message id, ours): a
 * block or a piece of output holds at most the server's `max_payload` less this.
 */
export const MESSAGE_OVERHEAD = 1024;

/** One frame as one buffer, for a message's data (a message is one buffer: one copy here). */
export function frameMessage(
  kind: FrameKind,
  run: string,
  seq: number,
  payload: readonly Buffer[] = [],
): Buffer {
  return Buffer.concat(encodeFrame({ kind, run, seq, payload }));
}

/** A message's frame, checked whole (length and checksum); throws a FrameError otherwise. */
export function readMessage(data: Uint8Array): {
  kind: FrameKind;
  run: string;
  seq: number;
  payload: Buffer;
  /** The CRC-32 of the payload, checked. */
  checksum: number;
} {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer.length < FRAME_HEADER)
    throw new FrameError(`a message of ${buffer.length} bytes holds no frame`);
  const header = decodeHeader(buffer);
  const payload = buffer.subarray(FRAME_HEADER);
  if (payload.length !== header.length)
    throw new FrameError(
      `a message's frame announces ${header.length} bytes and holds ${payload.length}`,
    );
  if (crc32([payload]) !== header.checksum)
    throw new FrameError(`the payload of a message (sequence ${header.seq}) fails its checksum`);
  return {
    kind: header.kind,
    run: header.run,
    seq: header.seq,
    payload,
    checksum: header.checksum,
  };
}

/** NATS headers from name-value pairs. */
export function headersOf(values: Record<string, number | string>): MsgHdrs {
  const h = headers();
  for (const [name, value] of Object.entries(values)) h.set(name, String(value));
  return h;
}

/** A whole-number header of a message; throws a FrameError when it is missing. */
export function numberHeader(h: MsgHdrs | undefined, name: string): number {
  const value = Number(h?.get(name) ?? Number.NaN);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new FrameError(`a message lacks its ${name} header`);
  return value;
}

/** A fresh id (16 hexadecimal digits) for a job's run or a worker's attempt at a block. */
export function freshId(): string {
  return randomBytes(8).toString('hex');
}
