import type { Limits, RecordDecoder } from './decoder.js';
import { LinesFinder } from './lines-finder.js';
import { Pending } from './pending.js';
import { viewAt } from './view.js';

/**
 * Records of `lines` lines (`lines:<n>`): a record is its lines with the LFs between them, the
 * last line's LF being its delimiter, as `lines`' records are. The final record may have fewer
 * lines (and its last line no LF): it is still a record, as `fixed`'s short final record is.
 */
export class MultilineDecoder implements RecordDecoder {
  count = 0;
  spanStart = 0;
  readonly #limits: Limits;
  readonly #pending = new Pending();
  readonly #finder: LinesFinder;

  constructor(lines: number, limits: Limits) {
    this.#finder = new LinesFinder(lines);
    this.#limits = limits;
  }

  push(chunk: Buffer, out: Buffer[]): void {
    let pos = 0;
    if (this.#pending.length > 0) {
      const end = this.#finder.next(chunk, 0);
      if (end < 0) {
        this.#keep(chunk);
        this.spanStart = out.length;
        return;
      }
      this.#emit(this.#pending.take(chunk.subarray(0, end - 1)), out);
      pos = end;
    }
    this.spanStart = out.length;
    const max = this.#limits.maxRecord;
    const memory = chunk.buffer;
    const base = chunk.byteOffset;
    const finder = this.#finder;
    for (let end = finder.next(chunk, pos); end >= 0; end = finder.next(chunk, pos)) {
      const length = end - 1 - pos;
      if (length > max) throw this.#limits.tooLarge(this.count + 1, length);
      out.push(viewAt(memory, base + pos, length));
      this.count++;
      pos = end;
    }
    this.#keep(chunk.subarray(pos));
  }

  encoded(first: Buffer, last: Buffer): Buffer {
    const end = last.byteOffset + last.length + 1;
    return viewAt(first.buffer, first.byteOffset, end - first.byteOffset);
  }

  /** A short final record: its lines, without the last one's LF when it has one. */
  end(out: Buffer[]): void {
    this.spanStart = out.length + 1;
    if (this.#pending.length === 0) return;
    const record = this.#pending.take();
    out.push(record[record.length - 1] === 0x0a ? record.subarray(0, record.length - 1) : record);
    this.count++;
  }

  #emit(record: Buffer, out: Buffer[]): void {
    if (record.length > this.#limits.maxRecord) {
      throw this.#limits.tooLarge(this.count + 1, record.length);
    }
    out.push(record);
    this.count++;
  }

  #keep(rest: Buffer): void {
    this.#pending.add(rest);
    if (this.#pending.length > this.#limits.maxRecord) {
      throw this.#limits.tooLarge(this.count + 1, this.#pending.length);
    }
  }
}
