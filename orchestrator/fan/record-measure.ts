import { PIECE } from '../workers/block.js';

/** A record over the limit: where it starts in its block, and its size (so far, if not whole). */
export interface LongRecord {
  start: number;
  size: number;
  whole: boolean;
}

/**
 * Measures the records of a block of records ended by one byte, against --max-record, without
 * finding each one: a window of no more than the limit holds only records shorter than it, so
 * only a record that reaches from one window into a later one can be over it, and that one is
 * measured by the first record end in each window and the last (two searches a window, where a
 * record-by-record splitter makes one per record). For blocks larger than the limit, given by
 * `--block`: the range reader's (range-input.ts); and for a worker's output read in pieces
 * larger than the limit (whole.ts). Bytes are pushed in order, from a record's start.
 */
export class RecordMeasure {
  readonly #delimiter: number;
  readonly #maxRecord: number;
  readonly #window: number;
  /** Bytes of the block pushed so far. */
  #seen = 0;
  /** Just past the last record end seen. */
  #lastEnd = 0;

  constructor(delimiter: number, maxRecord: number) {
    this.#delimiter = delimiter;
    this.#maxRecord = maxRecord;
    this.#window = Math.min(PIECE, maxRecord);
  }

  /** A block begins; or (`open`) bytes of a record begun before are known, not pushed. */
  start(open = 0): void {
    this.#seen = open;
    this.#lastEnd = 0;
  }

  /** The block's next bytes: a record over the limit in them (or begun and over it so far), or null. */
  push(data: Buffer): LongRecord | null {
    const delimiter = this.#delimiter;
    for (let from = 0; from < data.length; from += this.#window) {
      const window = data.subarray(from, from + this.#window);
      const first = window.indexOf(delimiter);
      if (first < 0) continue;
      const end = this.#seen + from + first;
      if (end - this.#lastEnd > this.#maxRecord) {
        return { start: this.#lastEnd, size: end - this.#lastEnd, whole: true };
      }
      this.#lastEnd = this.#seen + from + window.lastIndexOf(delimiter) + 1;
    }
    this.#seen += data.length;
    const open = this.#seen - this.#lastEnd;
    return open > this.#maxRecord ? { start: this.#lastEnd, size: open, whole: false } : null;
  }
}
