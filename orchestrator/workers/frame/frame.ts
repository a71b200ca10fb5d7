import { crc32 } from './crc32.js';

/**
 * manifold's frame: how a block, a piece of a block's output, or a message about them crosses a
 * byte stream (an SSH session) or a queue message. A fixed 32-byte header, big-endian:
 *
 *   0  4  magic "MFB1"
 *   4  1  kind (FrameKind)
 *   5  1  flags (the protocol's own)
 *   6  2  channel (the protocol's own: a slot on a shared stream)
 *   8  8  run id
 *  16  8  sequence number (an integer below 2^53, in two u32 halves)
 *  24  4  payload length
 *  28  4  CRC-32 of the payload
 *
 * then the payload. The length comes first so that a reader can allocate the payload's buffer
 * once and read into it; the checksum catches a stream that was cut and spliced, or corrupted
 * in a store, before any of it is written out.
 */
export const FRAME_HEADER = 32;

const MAGIC = 0x4d464231; // "MFB1"

/** What a frame carries. What each means in a conversation is the transport's protocol. */
export enum FrameKind {
  Hello = 1,
  Block = 2,
  Output = 3,
  BlockEnd = 4,
  Credit = 5,
  Heartbeat = 6,
  Error = 7,
  End = 8,
}

const KINDS = new Set<number>(Object.values(FrameKind).filter((v) => typeof v === 'number'));

/** A frame, read or to be written. `run` is 16 hexadecimal digits. */
export interface Frame {
  kind: FrameKind;
  flags: number;
  channel: number;
  run: string;
  seq: number;
  payload: Buffer;
  /**
   * The payload as the views of the chunks it came in, uncopied, from a FrameReader asked for
   * `pieces`; `payload` then joins them when read.
   */
  parts?: readonly Buffer[];
}

export interface FrameFields {
  kind: FrameKind;
  /** @default 0 */
  flags?: number;
  /** @default 0 */
  channel?: number;
  run: string;
  seq: number;
  /** @default no payload */
  payload?: Buffer | readonly Buffer[];
}

/** The most a payload may hold: its length is a u32. */
export const MAX_PAYLOAD = 0xffffffff;

const RUN_ID = /^[0-9a-f]{16}$/;

/**
 * The header of a frame followed by its payload buffers, uncopied: write them with `writev` (a
 * corked stream) or join them once where a message needs one buffer.
 */
export function encodeFrame(fields: FrameFields): Buffer[] {
  const { kind, flags = 0, channel = 0, run, seq } = fields;
  const payload =
    fields.payload === undefined
      ? []
      : Buffer.isBuffer(fields.payload)
        ? [fields.payload]
        : fields.payload;
  if (!KINDS.has(kind)) throw new RangeError(`frame kind ${kind} is not one of FrameKind`);
  if (!RUN_ID.test(run)) throw new RangeError(`frame run id "${run}" is not 16 hexadecimal digits`);
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new RangeError(`frame sequence ${seq} is not a whole number below 2^53`);
  if (!(flags >= 0 && flags <= 0xff && Number.isInteger(flags)))
    throw new RangeError(`frame flags ${flags} do not fit a byte`);
  if (!(channel >= 0 && channel <= 0xffff && Number.isInteger(channel)))
    throw new RangeError(`frame channel ${channel} does not fit 16 bits`);
  let length = 0;
  for (const piece of payload) length += piece.length;
  if (length > MAX_PAYLOAD)
    throw new RangeError(`frame payload of ${length} bytes is over ${MAX_PAYLOAD}`);
  const header = Buffer.allocUnsafe(FRAME_HEADER);
  header.writeUInt32BE(MAGIC, 0);
  header.writeUInt8(kind, 4);
  header.writeUInt8(flags, 5);
  header.writeUInt16BE(channel, 6);
  header.write(run, 8, 8, 'hex');
  header.writeUInt32BE(Math.floor(seq / 0x100000000), 16);
  header.writeUInt32BE(seq >>> 0, 20);
  header.writeUInt32BE(length, 24);
  header.writeUInt32BE(crc32(payload), 28);
  return [header, ...payload];
}

/** The fields of a 32-byte header, checked but for the payload's checksum. */
export interface FrameHeader {
  kind: FrameKind;
  flags: number;
  channel: number;
  run: string;
  seq: number;
  length: number;
  checksum: number;
}

/** Reads a header from `buffer` at `offset`; throws a FrameError naming what is wrong. */
export function decodeHeader(buffer: Buffer, offset = 0): FrameHeader {
  const magic = buffer.readUInt32BE(offset);
  if (magic !== MAGIC)
    throw new FrameError(
      `not a manifold frame (bytes ${buffer.subarray(offset, offset + 4).toString('hex')} where "MFB1" was expected)`,
    );
  const kind = buffer.readUInt8(offset + 4);
  if (!KINDS.has(kind)) throw new FrameError(`unknown frame kind ${kind}`);
  return {
    kind,
    flags: buffer.readUInt8(offset + 5),
    channel: buffer.readUInt16BE(offset + 6),
    run: buffer.toString('hex', offset + 8, offset + 16),
    seq: buffer.readUInt32BE(offset + 16) * 0x100000000 + buffer.readUInt32BE(offset + 20),
    length: buffer.readUInt32BE(offset + 24),
    checksum: buffer.readUInt32BE(offset + 28),
  };
}

/** A stream or message that is not a well-formed frame: cut off, corrupted or foreign. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}
