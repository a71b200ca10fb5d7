import { advanceByNext, lastByNext } from './advance.js';
import type { BoundaryFinder } from './boundary.js';
import { DelimiterFinder } from './delimiter-finder.js';

/**
 * Records that begin with `start` (`start:<s>`, parallel's `--recstart`), or that end with `end`
 * where the next begins with `start` (`between:<end>|<start>`): a record ends before each
 * `end + start`'s `start`. Those strings are found as a delimiter is, left to right and never
 * overlapping, split across any number of reads (DelimiterFinder). A record's end is known only
 * once the start string after it is read: the finder returns where that string ends, and its
 * `lookahead` (the start string's length) says how far before that the record ended, which may
 * be in an earlier read. The bytes before a first start string, when there are any, are a
 * record; a start string at the input's very beginning ends no record.
 */
export class StartFinder implements BoundaryFinder {
  readonly lookahead: number;
  readonly #finder: DelimiterFinder;
  /** The end string's length: those bytes of a match are the record's own. */
  readonly #endLength: number;
  /** Bytes scanned so far, and where the last record ended: offsets in the whole input. */
  #scanned = 0;
  #lastEnd = 0;

  constructor(start: Buffer, end: Buffer) {
    this.lookahead = start.length;
    this.#endLength = end.length;
    this.#finder = new DelimiterFinder(Buffer.concat([end, start]));
  }

  get midRecord(): boolean {
    return this.#scanned > this.#lastEnd;
  }

  /** The next record's start string begun at the end of what was scanned (its end string is ours). */
  get framingHeld(): number {
    return Math.max(0, this.#finder.framingHeld - this.#endLength);
  }

  next(chunk: Buffer, from: number): number {
    let pos = from;
    for (;;) {
      const found = this.#finder.next(chunk, pos);
      this.#scanned += (found < 0 ? chunk.length : found) - pos;
      if (found < 0) return -1;
      const end = this.#scanned - this.lookahead;
      pos = found;
      // A start string at the very beginning: no record before it.
      if (end === 0) continue;
      this.#lastEnd = end;
      return found;
    }
  }

  advance(chunk: Buffer, from: number, want: number): { found: number; end: number } {
    return advanceByNext(this, chunk, from, want);
  }

  last(chunk: Buffer, from: number): number {
    return lastByNext(this, chunk, from);
  }
}
