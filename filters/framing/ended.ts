import type { BoundaryFinder } from './boundary.js';
import type { Limits, RecordDecoder } from './decoder.js';
import { Pending } from './pending.js';
import { viewAt } from './view.js';

/**
 * Records ended by what `finder` finds after each (a delimiter; the last LF of `lines:<n>`):
 * `tail` bytes that are not part of the record. The final record may lack them. A record begun
 * in an earlier read is kept and joined at its end; any record over the size limit, given out
 * or still being kept, is an error. `delimited.ts` and `multiline.ts` are this with their finder.
 */
export class EndedDecoder implements RecordDecoder {
  count = 0;
  spanStart = 0;
  protected readonly limits: Limits;
  /** The unfinished record kept from the last read. */
  protected readonly pending = new Pending();
  readonly #finder: BoundaryFinder;
  readonly #tail: number;

  constructor(finder: BoundaryFinder, tail: number, limits: Limits) {
    this.#finder = finder;
    this.#tail = tail;
    this.limits = limits;
  }

  push(chunk: Buffer, out: Buffer[]): void {
    let pos = this.pending.length > 0 ? this.finishPending(chunk, out) : 0;
    this.spanStart = out.length;
    if (pos < 0) return;
    const max = this.limits.maxRecord;
    const memory = chunk.buffer;
    const base = chunk.byteOffset;
    const finder = this.#finder;
    const tail = this.#tail;
    let count = this.count;
    for (let end = finder.next(chunk, pos); end >= 0; end = finder.next(chunk, pos)) {
      const length = end - tail - pos;
      if (length > max) {
        // The records pushed to `out` stand (see DelimitedDecoder's `pushText`): count them.
        this.count = count;
        throw this.limits.tooLarge(count + 1, length);
      }
      out.push(viewAt(memory, base + pos, length));
      count++;
      pos = end;
    }
    this.count = count;
    this.keep(chunk.subarray(pos));
  }

  encoded(first: Buffer, last: Buffer): Buffer {
    const end = last.byteOffset + last.length + this.#tail;
    return viewAt(first.buffer, first.byteOffset, end - first.byteOffset);
  }

  end(out: Buffer[]): void {
    this.spanStart = out.length + 1;
    if (this.pending.length === 0) return;
    // Ended by the input's end: a delimiter begun at its end is the record's, and counts.
    this.#emit(this.pending.take(), out);
  }

  /**
   * Ends the pending record with the first boundary that ends in `chunk`, wherever it began.
   * Returns where the next record starts in `chunk`, or -1 when the whole chunk was kept.
   */
  protected finishPending(chunk: Buffer, out: Buffer[]): number {
    const end = this.#finder.next(chunk, 0);
    if (end < 0) {
      this.keep(chunk);
      return -1;
    }
    // Joined with its boundary, then cut: a delimiter may begin in the bytes kept.
    const record = this.pending.take(chunk.subarray(0, end));
    this.#emit(record.subarray(0, record.length - this.#tail), out);
    return end;
  }

  #emit(record: Buffer, out: Buffer[]): void {
    if (record.length > this.limits.maxRecord) {
      throw this.limits.tooLarge(this.count + 1, record.length);
    }
    out.push(record);
    this.count++;
  }

  protected keep(rest: Buffer): void {
    this.pending.add(rest);
    // The record so far: not a delimiter that may be begun at the end of what was read.
    const open = this.pending.length - (this.#finder.framingHeld ?? 0);
    if (open > this.limits.maxRecord) throw this.limits.tooLarge(this.count + 1, open);
  }
}
