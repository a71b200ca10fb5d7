import type { BoundaryFinder } from './boundary.js';
import type { Limits, RecordDecoder } from './decoder.js';
import { Pending } from './pending.js';
import { viewAt } from './view.js';

const EMPTY = Buffer.alloc(0);

/**
 * Records that begin with a start string (`start:`, `between:`) or a match of expressions
 * (`start-re:`, `delim-re:`, `between-re:`), all their bytes kept: a record is the bytes from one
 * cut to the next, the last one ended by the input's end. Where they are cut is the finder's to
 * say (StartFinder, RegexpFinder), `lookahead` bytes before the ends it returns; a record it ends
 * may lie wholly in earlier reads, and then the next one begins there too.
 */
export class StartedDecoder implements RecordDecoder {
  count = 0;
  spanStart = 0;
  readonly #limits: Limits;
  readonly #finder: BoundaryFinder;
  /** The bytes of the record in progress read before the current chunk. */
  readonly #pending = new Pending();
  /** Bytes read before the current chunk, and where the record in progress begins. */
  #total = 0;
  #recordStart = 0;

  constructor(finder: BoundaryFinder, limits: Limits) {
    this.#finder = finder;
    this.#limits = limits;
  }

  push(chunk: Buffer, out: Buffer[]): void {
    const base = this.#total;
    const lookahead = this.#finder.lookahead ?? 0;
    this.spanStart = out.length;
    for (let at = this.#finder.next(chunk, 0); at >= 0; at = this.#finder.next(chunk, at)) {
      this.#emit(chunk, base, base + at - lookahead, out);
    }
    this.#total = base + chunk.length;
    if (this.#recordStart >= base) this.#pending.add(chunk.subarray(this.#recordStart - base));
    else this.#pending.add(chunk);
    // The record so far: not the next one's start string that may be begun at the end.
    const open = this.#pending.length - (this.#finder.framingHeld ?? lookahead);
    if (open > this.#limits.maxRecord) throw this.#limits.tooLarge(this.count + 1, open);
  }

  encoded(first: Buffer, last: Buffer): Buffer {
    return viewAt(first.buffer, first.byteOffset, last.byteOffset + last.length - first.byteOffset);
  }

  end(out: Buffer[]): void {
    const total = this.#total;
    for (const back of this.#finder.finish?.() ?? []) this.#emit(EMPTY, total, total - back, out);
    this.spanStart = out.length + 1;
    if (this.#pending.length === 0) return;
    this.#push(this.#pending.take(), out);
  }

  /** The record in progress ends at `end` (an offset in the input, `base` that of `chunk`). */
  #emit(chunk: Buffer, base: number, end: number, out: Buffer[]): void {
    const start = this.#recordStart;
    this.#recordStart = end;
    if (start >= base) {
      this.#push(viewAt(chunk.buffer, chunk.byteOffset + start - base, end - start), out);
      return;
    }
    // It began in an earlier read: joined, and the next one begins after it, perhaps there too.
    const held = this.#pending.take(end > base ? chunk.subarray(0, end - base) : undefined);
    if (end < base) this.#pending.add(held.subarray(end - start));
    this.#push(end < base ? held.subarray(0, end - start) : held, out);
    this.spanStart = out.length;
  }

  #push(record: Buffer, out: Buffer[]): void {
    if (record.length > this.#limits.maxRecord) {
      throw this.#limits.tooLarge(this.count + 1, record.length);
    }
    out.push(record);
    this.count++;
  }
}
