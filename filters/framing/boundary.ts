import { advanceByNext } from './advance.js';
import { DelimiterFinder } from './delimiter-finder.js';
import { FrameFinder } from './frame-finder.js';
import { LinesFinder } from './lines-finder.js';
import { RegexpFinder } from './regexp-finder.js';
import type { Framing } from './spec.js';
import { StartFinder } from './start-finder.js';

/**
 * Finds where records end in a stream of reads, for one framing: the one place that knows a
 * record, a frame header or a delimiter may be split across any number of reads. A finder
 * remembers what it has scanned, so each byte is looked at once. Scans are contiguous: every
 * call goes on where the last one stopped, at the end it returned or at the end of its chunk.
 */
export interface BoundaryFinder {
  /**
   * The end (an offset in `chunk`, past the record's delimiter) of the first record that ends
   * in `chunk` from `from`, or -1 when none does and all of it was scanned. Where a record's end
   * is known only by what follows it (`lookahead`), that many bytes past its end.
   */
  next(chunk: Buffer, from: number): number;
  /** Scans all of `chunk` from `from`; the end of the last record that ends in it, or -1. */
  last(chunk: Buffer, from: number): number;
  /**
   * Scans for up to `want` record ends from `from`, as `want` calls of `next` would: how many
   * ended, and the end of the last (the chunk's end, all of it scanned, when fewer did).
   */
  advance(chunk: Buffer, from: number, want: number): { found: number; end: number };
  /**
   * For framings whose record ends are known by the bytes after them (`start:`, `between:`):
   * how many bytes before each end returned the record ended, perhaps in an earlier chunk; the
   * next scan goes on from the end returned. 0 or absent for the others.
   */
  readonly lookahead?: number;
  /**
   * For finders that are sure of an end only once bytes past it were read (`regexp`): at the
   * input's end, the ends not returned yet, each as how many bytes before the input's end it
   * lies, in order. Absent for the others, whose every end was returned.
   */
  finish?(): number[];
  /**
   * For framings whose delimiter varies in length (`delim-re:`): how many bytes of delimiter end
   * the record that ends at `end` (an offset in all the bytes given to the finder), one of the
   * ends returned by the last call of `next` or `finish`. Absent for the others, whose records'
   * delimiters are `framingBytes` long.
   */
  delimiterBefore?(end: number): number;
  /**
   * Of the bytes scanned since the last end returned, how many are not the record in
   * progress's own as its size counts them: a delimiter (or the next record's start string)
   * begun at the end of what was scanned, a frame's header. Held bytes less these are the
   * record's size so far, so a record of exactly --max-record is not refused for a delimiter
   * split across reads. Absent where a finder cannot say (`regexp`: its `lookahead` instead).
   */
  readonly framingHeld?: number;
  /** True when bytes of a record that has not ended yet have been scanned. */
  readonly midRecord: boolean;
  /**
   * The length the record in progress says it has, for framings whose records say it before
   * their bytes (frames, once the header is read); -1 or absent where none does.
   */
  readonly announced?: number;
}

export function createBoundaryFinder(framing: Framing): BoundaryFinder {
  switch (framing.kind) {
    case 'delimited':
      return new DelimiterFinder(framing.delimiter);
    case 'fixed':
      return new FixedFinder(framing.size);
    case 'frames':
      return new FrameFinder();
    case 'started':
      return new StartFinder(framing.start, framing.end);
    case 'regexp':
      return new RegexpFinder(framing);
    case 'raw':
      return new RawFinder();
    case 'multiline':
      return new LinesFinder(framing.lines);
  }
}

/** The bytes of framing around each record: a delimiter after it, a header before it. */
export function framingBytes(framing: Framing): number {
  if (framing.kind === 'delimited') return framing.delimiter.length;
  if (framing.kind === 'multiline') return 1;
  return framing.kind === 'frames' ? 4 : 0;
}

/** Records of `size` bytes. */
export class FixedFinder implements BoundaryFinder {
  readonly framingHeld = 0;
  readonly #size: number;
  /** Bytes of the current record scanned so far. */
  #inRecord = 0;

  constructor(size: number) {
    this.#size = size;
  }

  get midRecord(): boolean {
    return this.#inRecord > 0;
  }

  next(chunk: Buffer, from: number): number {
    const need = this.#size - this.#inRecord;
    if (chunk.length - from >= need) {
      this.#inRecord = 0;
      return from + need;
    }
    this.#inRecord += chunk.length - from;
    return -1;
  }

  advance(chunk: Buffer, from: number, want: number): { found: number; end: number } {
    return advanceByNext(this, chunk, from, want);
  }

  last(chunk: Buffer, from: number): number {
    const total = this.#inRecord + chunk.length - from;
    this.#inRecord = total % this.#size;
    return total < this.#size ? -1 : chunk.length - this.#inRecord;
  }
}

/** No records inside a read: each read is one, as it came. */
export class RawFinder implements BoundaryFinder {
  readonly midRecord = false;
  readonly framingHeld = 0;

  next(chunk: Buffer, from: number): number {
    return from < chunk.length ? chunk.length : -1;
  }

  advance(chunk: Buffer, from: number, want: number): { found: number; end: number } {
    return advanceByNext(this, chunk, from, want);
  }

  last(chunk: Buffer, from: number): number {
    return this.next(chunk, from);
  }
}
