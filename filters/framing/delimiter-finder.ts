import { advanceByNext, lastByNext } from './advance.js';
import type { BoundaryFinder } from './boundary.js';
import { nthByte } from './byte-count.js';

/**
 * Records ended by a delimiter. Delimiters are found left to right and do not overlap, so in
 * `xAAAy` with `AA` the records are `x` and `Ay`. A one-byte delimiter is found with
 * `indexOf`/`lastIndexOf` and needs no memory of earlier reads. A longer one may begin in one
 * read and end any number of reads later: the finder carries how much of it the bytes scanned
 * so far end with (Knuth-Morris-Pratt), steps a byte at a time only while a partial delimiter
 * reaches back into earlier reads, and otherwise leaves the search to `indexOf`.
 */
export class DelimiterFinder implements BoundaryFinder {
  readonly #delimiter: Buffer;
  /** The delimiter's byte when it is one byte long, else -1. */
  readonly #byte: number;
  /** `#border[i]`: the length of the longest proper prefix of delimiter[0..i] that ends it. */
  readonly #border: Uint32Array;
  /** How many bytes of the delimiter the bytes scanned so far end with. */
  #matched = 0;
  #mid = false;

  constructor(delimiter: Buffer) {
    this.#delimiter = delimiter;
    this.#byte = delimiter.length === 1 ? delimiter[0]! : -1;
    this.#border = borders(delimiter);
  }

  get midRecord(): boolean {
    return this.#mid;
  }

  /** The delimiter begun at the end of what was scanned: bytes that may not be the record's. */
  get framingHeld(): number {
    return this.#matched;
  }

  next(chunk: Buffer, from: number): number {
    if (this.#byte < 0) return this.#nextLong(chunk, from);
    const at = chunk.indexOf(this.#byte, from);
    if (at >= 0) {
      this.#mid = false;
      return at + 1;
    }
    if (from < chunk.length) this.#mid = true;
    return -1;
  }

  last(chunk: Buffer, from: number): number {
    if (this.#byte < 0) return lastByNext(this, chunk, from);
    const at = chunk.lastIndexOf(this.#byte);
    if (at >= from) {
      this.#mid = at + 1 < chunk.length;
      return at + 1;
    }
    if (from < chunk.length) this.#mid = true;
    return -1;
  }

  /**
   * Finds up to `want` record ends in `chunk` from `from`, as `want` calls of `next` would: how
   * many it found, and the end of the last one (or the chunk's end when fewer than `want`
   * ended). A one-byte delimiter is counted many at a time (byte-count.ts).
   */
  advance(chunk: Buffer, from: number, want: number): { found: number; end: number } {
    if (this.#byte >= 0 && want > 1) {
      const got = nthByte(chunk, from, this.#byte, want);
      if (got >= 0) {
        this.#mid = false;
        return { found: want, end: got };
      }
      // Bytes after the last end were scanned unless the chunk ends with the delimiter.
      if (from < chunk.length) this.#mid = chunk[chunk.length - 1] !== this.#byte;
      return { found: -1 - got, end: chunk.length };
    }
    return advanceByNext(this, chunk, from, want);
  }

  #nextLong(chunk: Buffer, from: number): number {
    const delimiter = this.#delimiter;
    const size = delimiter.length;
    const length = chunk.length;
    if (from < length) this.#mid = true;
    let matched = this.#matched;
    let pos = from;
    // A partial delimiter that began in an earlier read: on a byte at a time until it ends or
    // lies wholly in this read, at most `size` bytes.
    while (matched > pos - from) {
      if (pos === length) {
        this.#matched = matched;
        return -1;
      }
      matched = this.#step(matched, chunk[pos++]!);
      if (matched === size) return this.#found(pos);
    }
    // Any delimiter not yet found starts here or later.
    const start = pos - matched;
    const at = chunk.indexOf(delimiter, start);
    if (at >= 0) return this.#found(at + size);
    // None here: how much of a delimiter the chunk ends with, from its last size - 1 bytes.
    matched = 0;
    for (let i = Math.max(start, length - size + 1); i < length; i++) {
      matched = this.#step(matched, chunk[i]!);
    }
    this.#matched = matched;
    return -1;
  }

  #found(end: number): number {
    this.#matched = 0;
    this.#mid = false;
    return end;
  }

  /** The next matched length after `byte`, given `matched` bytes matched (< the delimiter's). */
  #step(matched: number, byte: number): number {
    const delimiter = this.#delimiter;
    let m = matched;
    while (m > 0 && delimiter[m] !== byte) m = this.#border[m - 1]!;
    return delimiter[m] === byte ? m + 1 : 0;
  }
}

/** The Knuth-Morris-Pratt failure table of `pattern`. */
function borders(pattern: Buffer): Uint32Array {
  const border = new Uint32Array(pattern.length);
  let k = 0;
  for (let i = 1; i < pattern.length; i++) {
    while (k > 0 && pattern[i] !== pattern[k]) k = border[k - 1]!;
    if (pattern[i] === pattern[k]) k++;
    border[i] = k;
  }
  return border;
}
