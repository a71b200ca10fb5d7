import { truncatedFrameText } from '../size.js';
import type { Limits, RecordDecoder } from './decoder.js';
import { Pending } from './pending.js';
import { viewAt, viewOf } from './view.js';

/** Records of exactly `size` bytes; a shorter final record is still a record. */
export class FixedDecoder implements RecordDecoder {
  count = 0;
  spanStart = 0;
  readonly #size: number;
  readonly #pending = new Pending();

  constructor(size: number, limits: Limits) {
    if (size > limits.maxRecord) throw limits.tooLarge(1, size);
    this.#size = size;
  }

  push(chunk: Buffer, out: Buffer[]): void {
    const size = this.#size;
    let pos = 0;
    this.spanStart = out.length + (this.#pending.length > 0 ? 1 : 0);
    if (this.#pending.length > 0) {
      const need = size - this.#pending.length;
      if (chunk.length < need) {
        this.#pending.add(chunk);
        return;
      }
      out.push(this.#pending.take(chunk.subarray(0, need)));
      this.count++;
      pos = need;
    }
    while (chunk.length - pos >= size) {
      out.push(viewOf(chunk, pos, size));
      this.count++;
      pos += size;
    }
    this.#pending.add(chunk.subarray(pos));
  }

  encoded(first: Buffer, last: Buffer): Buffer {
    return viewAt(first.buffer, first.byteOffset, last.byteOffset + last.length - first.byteOffset);
  }

  end(out: Buffer[]): void {
    this.spanStart = out.length + 1;
    if (this.#pending.length === 0) return;
    out.push(this.#pending.take());
    this.count++;
  }
}

const HEADER = 4;

/** Length-prefixed frames: a 4-byte big-endian unsigned length, then the payload (the record). */
export class FramesDecoder implements RecordDecoder {
  count = 0;
  spanStart = 0;
  readonly #limits: Limits;
  readonly #pending = new Pending();
  /** The payload length of the frame being read, or -1 while its header is incomplete. */
  #need = -1;

  constructor(limits: Limits) {
    this.#limits = limits;
  }

  push(chunk: Buffer, out: Buffer[]): void {
    let pos = 0;
    // Only a frame begun in an earlier chunk is not in the span: it comes first, if at all.
    this.spanStart = this.#need >= 0 || this.#pending.length > 0 ? 1 : 0;
    while (pos < chunk.length) {
      if (this.#need < 0) {
        const pendingHeader = this.#pending.length;
        if (pendingHeader === 0 && chunk.length - pos >= HEADER) {
          this.#need = this.#checked(chunk.readUInt32BE(pos));
          pos += HEADER;
        } else {
          const take = Math.min(HEADER - pendingHeader, chunk.length - pos);
          this.#pending.add(chunk.subarray(pos, pos + take));
          pos += take;
          if (this.#pending.length < HEADER) return;
          this.#need = this.#checked(this.#pending.take().readUInt32BE(0));
        }
      }
      const have = this.#pending.length;
      const missing = this.#need - have;
      if (chunk.length - pos < missing) {
        this.#pending.add(chunk.subarray(pos));
        return;
      }
      out.push(
        have === 0
          ? viewOf(chunk, pos, missing)
          : this.#pending.take(chunk.subarray(pos, pos + missing)),
      );
      pos += missing;
      this.#need = -1;
      this.count++;
    }
  }

  encoded(first: Buffer, last: Buffer): Buffer {
    const start = first.byteOffset - HEADER;
    return viewAt(first.buffer, start, last.byteOffset + last.length - start);
  }

  end(out: Buffer[]): void {
    this.spanStart = out.length;
    if (this.#need >= 0 || this.#pending.length > 0) {
      const held = this.#need >= 0 ? this.#pending.length + HEADER : this.#pending.length;
      throw this.#limits.truncated(
        this.count + 1,
        truncatedFrameText(this.#need >= 0 ? this.#need : null, held, 'the input'),
      );
    }
  }

  #checked(length: number): number {
    if (length > this.#limits.maxRecord) throw this.#limits.frameTooLarge(this.count + 1, length);
    return length;
  }
}

/** No records: every chunk passes as it was read. */
export class RawDecoder implements RecordDecoder {
  count = 0;
  spanStart = 0;

  push(chunk: Buffer, out: Buffer[]): void {
    if (chunk.length === 0) return;
    out.push(chunk);
    this.count++;
  }

  encoded(first: Buffer, last: Buffer): Buffer {
    return first === last ? first : Buffer.concat([first, last]);
  }

  end(_out: Buffer[]): void {}
}
