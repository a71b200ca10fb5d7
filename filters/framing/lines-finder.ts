import type { BoundaryFinder } from './boundary.js';
import { nthByte } from './byte-count.js';

const LF = 0x0a;

/**
 * Records of `lines` lines (`lines:<n>`, a FASTQ read is 4): a record ends at every `lines`-th
 * LF counted from the start of the input. The finder carries how many LFs of the record in
 * progress it has seen, so a record may be split across any number of reads; LFs are counted
 * many at a time (byte-count.ts). Nothing but the count tells line 1 of a record from line 3:
 * a reader must have read the input from its start (see docs/framing.md).
 */
export class LinesFinder implements BoundaryFinder {
  readonly framingHeld = 0;
  readonly #lines: number;
  /** LFs of the record in progress scanned so far. */
  #seen = 0;
  #mid = false;

  constructor(lines: number) {
    this.#lines = lines;
  }

  get midRecord(): boolean {
    return this.#mid;
  }

  next(chunk: Buffer, from: number): number {
    const got = nthByte(chunk, from, LF, this.#lines - this.#seen);
    if (got >= 0) {
      this.#seen = 0;
      this.#mid = false;
      return got;
    }
    this.#seen += -1 - got;
    if (from < chunk.length) this.#mid = true;
    return -1;
  }

  advance(chunk: Buffer, from: number, want: number): { found: number; end: number } {
    const lines = this.#lines;
    const got = nthByte(chunk, from, LF, want * lines - this.#seen);
    if (got >= 0) {
      this.#seen = 0;
      this.#mid = false;
      return { found: want, end: got };
    }
    const total = this.#seen - 1 - got;
    this.#seen = total % lines;
    if (from < chunk.length) this.#mid = this.#seen > 0 || chunk[chunk.length - 1] !== LF;
    return { found: Math.floor(total / lines), end: chunk.length };
  }

  last(chunk: Buffer, from: number): number {
    const lines = this.#lines;
    const total = this.#seen - 1 - nthByte(chunk, from, LF, Number.POSITIVE_INFINITY);
    const ended = total >= lines;
    this.#seen = total % lines;
    if (!ended) {
      if (from < chunk.length) this.#mid = true;
      return -1;
    }
    // The last record ends at the LF before the `#seen` LFs of the record begun after it.
    let at = chunk.length;
    for (let i = 0; i <= this.#seen; i++) at = chunk.lastIndexOf(LF, at - 1);
    this.#mid = at + 1 < chunk.length;
    return at + 1;
  }
}
