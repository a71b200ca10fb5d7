import { advanceByNext, lastByNext } from './advance.js';
import type { BoundaryFinder } from './boundary.js';

const HEADER = 4;

/** Length-prefixed frames: where each ends, its 4-byte header read across reads if need be. */
export class FrameFinder implements BoundaryFinder {
  /** Bytes left of the frame in progress, or -1 while its header is incomplete. */
  #left = -1;
  readonly #header = Buffer.alloc(HEADER);
  #headerBytes = 0;
  /** The length the frame in progress's header says, or -1 while its header is incomplete. */
  #length = -1;

  get midRecord(): boolean {
    return this.#left >= 0 || this.#headerBytes > 0;
  }

  /** The header of the frame in progress, read so far: not the record's bytes. */
  get framingHeld(): number {
    return this.#left >= 0 ? HEADER : this.#headerBytes;
  }

  get announced(): number {
    return this.#left < 0 ? -1 : this.#length;
  }

  next(chunk: Buffer, from: number): number {
    let pos = from;
    while (pos < chunk.length) {
      if (this.#left < 0) {
        if (this.#headerBytes === 0 && chunk.length - pos >= HEADER) {
          this.#left = chunk.readUInt32BE(pos);
          this.#length = this.#left;
          pos += HEADER;
        } else {
          const take = Math.min(HEADER - this.#headerBytes, chunk.length - pos);
          chunk.copy(this.#header, this.#headerBytes, pos, pos + take);
          this.#headerBytes += take;
          pos += take;
          if (this.#headerBytes < HEADER) return -1;
          this.#left = this.#header.readUInt32BE(0);
          this.#length = this.#left;
          this.#headerBytes = 0;
        }
      }
      const take = Math.min(this.#left, chunk.length - pos);
      pos += take;
      this.#left -= take;
      if (this.#left === 0) {
        this.#left = -1;
        return pos;
      }
    }
    return -1;
  }

  advance(chunk: Buffer, from: number, want: number): { found: number; end: number } {
    return advanceByNext(this, chunk, from, want);
  }

  last(chunk: Buffer, from: number): number {
    return lastByNext(this, chunk, from);
  }
}
