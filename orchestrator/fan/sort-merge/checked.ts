import { Limits } from '../../../filters/framing/decoder.js';
import { RecordError } from '../../../filters/index.js';
import { wroteParts } from '../../workers/lent.js';
import { collationHint } from '../collation.js';
import type { FanOptions } from '../options.js';
import { spell } from '../spelling.js';
import { type RangeOrder, rangeOrder } from './range-order.js';

/** How the merged output is named in messages. */
export const MERGED = 'the merged output (sort -m)';

/**
 * The output of `sort -m` as it comes: cut at whole records, counted, and checked to be in the
 * merge's order, in one scan. `sort -m` trusts its inputs to be sorted; a merge keeps the order
 * of each input's records, so its output is in order exactly when every input was: checking the
 * output checks the workers, and a record out of place stops the run before it is written, as
 * our own merge does. Whole records are handed on as slices of the chunks read, not copied.
 */
export class CheckedRecords {
  readonly #delimiter: number;
  readonly #compare: RangeOrder;
  readonly #limits: Limits;
  /** The record before the next one, to compare with: bytes [#lastStart, #lastEnd) of #last. */
  #last: Buffer | null = null;
  #lastStart = 0;
  #lastEnd = 0;
  /** A record begun in an earlier chunk, in pieces. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Records seen so far. */
  count = 0;
  /** `--merge sorted`, or a config's `merge: sorted`, for its one message. */
  readonly #sorted: string;
  /** The workers' environment over manifold's: their locale, for the hint. */
  readonly #env: NodeJS.ProcessEnv | undefined;

  constructor(
    delimiter: number,
    options: Pick<
      FanOptions,
      'key' | 'numeric' | 'reverse' | 'maxRecord' | 'optionName' | 'command'
    >,
  ) {
    this.#env = options.command.env;
    this.#delimiter = delimiter;
    this.#sorted = spell(options, 'merge', 'sorted');
    this.#compare = rangeOrder(options);
    this.#limits = new Limits(MERGED, options.maxRecord, spell(options, 'maxRecord'));
  }

  /** The whole records that `chunk` ends, delimiters included; throws at a record out of order. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    const delimiter = this.#delimiter;
    let start = 0;
    let end = chunk.indexOf(delimiter);
    if (this.#pending.length > 0) {
      if (end < 0) {
        this.#hold(chunk);
        return out;
      }
      // The one record that spans chunks is copied, to be compared whole; the memory of its
      // pieces, copied, may be read into again (workers/lent.ts).
      const pieces = [...this.#pending, chunk.subarray(0, end + 1)];
      const whole = Buffer.concat(pieces);
      wroteParts(pieces, whole.length);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#check(whole, 0, whole.length - 1);
      out.push(whole);
      start = end + 1;
      end = chunk.indexOf(delimiter, start);
    }
    const first = start;
    const max = this.#limits.maxRecord;
    while (end >= 0) {
      if (end - start > max) throw this.#limits.tooLarge(this.count + 1, end - start);
      this.#check(chunk, start, end);
      start = end + 1;
      end = chunk.indexOf(delimiter, start);
    }
    if (start > first) out.push(chunk.subarray(first, start));
    if (start < chunk.length) this.#hold(chunk.subarray(start));
    // The last record, kept to compare with, is copied: a chunk's memory is read into again
    // once what it holds is written (workers/reads.ts).
    if (this.#last === chunk) {
      this.#last = Buffer.from(chunk.subarray(this.#lastStart, this.#lastEnd));
      this.#lastEnd -= this.#lastStart;
      this.#lastStart = 0;
    }
    return out;
  }

  /** The end of the output: a last record without its delimiter, as it is. */
  end(): Buffer[] {
    if (this.#pending.length === 0) return [];
    const last = Buffer.concat(this.#pending);
    wroteParts(this.#pending, last.length);
    this.#pending = [];
    this.#check(last, 0, last.length);
    return [last];
  }

  #hold(piece: Buffer): void {
    this.#pending.push(piece);
    this.#pendingBytes += piece.length;
    if (this.#pendingBytes > this.#limits.maxRecord) {
      throw this.#limits.tooLarge(this.count + 1, this.#pendingBytes);
    }
  }

  /** Checks the record in bytes [start, end) of `data` against the one before. */
  #check(data: Buffer, start: number, end: number): void {
    const last = this.#last;
    this.count++;
    if (
      last !== null &&
      this.#compare(last, this.#lastStart, this.#lastEnd, data, start, end) > 0
    ) {
      throw new RecordError(
        { input: MERGED, record: this.count },
        `not sorted by the key: a worker wrote output out of order, and ${this.#sorted} needs every worker to write sorted output${collationHint(this.#env)}`,
      );
    }
    this.#last = data;
    this.#lastStart = start;
    this.#lastEnd = end;
  }
}
