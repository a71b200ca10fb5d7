/**
 * manifold's block protocol, spoken by SDK filters run with `--protocol manifold`, so that a
 * persistent worker's output can be tied to the blocks of input that produced it.
 *
 * To the worker, each block is a 16-byte header and the block's bytes:
 *   u32 block number, u32 byte length, f64 number of the block's first record (all big-endian).
 * From the worker, output comes in messages: u32 block number, u32 byte length, then the bytes.
 * A message of length 0 ends the block's output. Output written after the last block (a
 * filter's flush) carries the block number TRAILING.
 */
export const PROTOCOL_NAME = 'manifold';
export const TO_WORKER_HEADER = 16;
export const FROM_WORKER_HEADER = 8;
export const TRAILING = 0xffffffff;

export function blockHeader(seq: number, length: number, firstRecord: number): Buffer {
  const header = Buffer.allocUnsafe(TO_WORKER_HEADER);
  header.writeUInt32BE(seq, 0);
  header.writeUInt32BE(length, 4);
  header.writeDoubleBE(firstRecord, 8);
  return header;
}

export function outputHeader(seq: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(FROM_WORKER_HEADER);
  header.writeUInt32BE(seq, 0);
  header.writeUInt32BE(length, 4);
  return header;
}

/**
 * Reads a stream of messages with `headerSize`-byte headers whose bytes 4-8 give the payload
 * length, calling `onMessage` with the header and payload of each complete one.
 */
export class MessageReader {
  readonly #headerSize: number;
  readonly #onMessage: (header: Buffer, payload: Buffer) => void;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(headerSize: number, onMessage: (header: Buffer, payload: Buffer) => void) {
    this.#headerSize = headerSize;
    this.#onMessage = onMessage;
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  push(chunk: Buffer): void {
    let data = chunk;
    if (this.#pendingBytes > 0) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      // Join the pieces only once the message they begin is complete: no copying per chunk.
      if (this.#pendingBytes < this.#needed()) return;
      data = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    let pos = 0;
    const size = this.#headerSize;
    while (data.length - pos >= size) {
      const length = data.readUInt32BE(pos + 4);
      if (data.length - pos - size < length) break;
      this.#onMessage(
        data.subarray(pos, pos + size),
        data.subarray(pos + size, pos + size + length),
      );
      pos += size + length;
    }
    if (pos < data.length) {
      this.#pending.push(data.subarray(pos));
      this.#pendingBytes = data.length - pos;
    }
  }

  /** The size of the first pending message, or of its header while that is incomplete. */
  #needed(): number {
    const size = this.#headerSize;
    if (this.#pendingBytes < size) return size;
    const head =
      this.#pending[0]!.length >= size ? this.#pending[0]! : Buffer.concat(this.#pending);
    return size + head.readUInt32BE(4);
  }
}
