import type { Limits, RecordDecoder } from './decoder.js';
import { DelimiterFinder } from './delimiter-finder.js';
import { Pending } from './pending.js';
import { viewAt } from './view.js';

/** The records of one read as text, and the error that ended the read early, or null. */
export interface TextRecords {
  records: string[];
  failure: unknown;
}

const REPLACEMENT = '\uFFFD';
const TEXT_WINDOW = 64 * 1024;

/**
 * Records ended by a delimiter of one or more bytes. The final record may lack its delimiter.
 * Where records end is the DelimiterFinder's to say, a delimiter split across reads included.
 */
export class DelimitedDecoder implements RecordDecoder {
  count = 0;
  spanStart = 0;
  readonly #delimiter: Buffer;
  readonly #byte: number;
  readonly #char: string;
  readonly #limits: Limits;
  readonly #pending = new Pending();
  readonly #finder: DelimiterFinder;

  constructor(delimiter: Buffer, limits: Limits) {
    this.#delimiter = delimiter;
    this.#finder = new DelimiterFinder(delimiter);
    this.#byte = delimiter.length === 1 ? delimiter[0]! : -1;
    this.#char = delimiter.toString('latin1');
    this.#limits = limits;
  }

  /** Whether the unfinished record kept from the last read is (partly) a view of `memory`. */
  holds(memory: ArrayBufferLike): boolean {
    return this.#pending.holds(memory);
  }

  push(chunk: Buffer, out: Buffer[]): void {
    let pos = this.#pending.length > 0 ? this.#finishPending(chunk, out) : 0;
    this.spanStart = out.length;
    if (pos < 0) return;
    const max = this.#limits.maxRecord;
    const memory = chunk.buffer;
    const base = chunk.byteOffset;
    const finder = this.#finder;
    const size = this.#delimiter.length;
    let count = this.count;
    for (let end = finder.next(chunk, pos); end >= 0; end = finder.next(chunk, pos)) {
      const length = end - size - pos;
      if (length > max) {
        // The records pushed to `out` stand (see `pushText`): count them.
        this.count = count;
        throw this.#limits.tooLarge(count + 1, length);
      }
      out.push(viewAt(memory, base + pos, length));
      count++;
      pos = end;
    }
    this.count = count;
    this.#keep(chunk.subarray(pos));
  }

  /**
   * Like `push`, for a one-byte ASCII delimiter, giving records as strings decoded from UTF-8.
   * The records between the first and the last delimiter of the chunk are decoded in one call and
   * split as a string: UTF-8 never hides an ASCII byte inside a multi-byte sequence, and an invalid
   * sequence never swallows one, so this equals decoding each record alone. Records whose bytes
   * are not valid UTF-8 get their original bytes in `originals`, at the same index as in `out`.
   * An error (a record over the size limit) comes back with the records before it, as `push`
   * leaves them in its `out`, for the filter to write before it reports the error.
   */
  pushText(chunk: Buffer, originals: (Buffer | string)[]): TextRecords {
    let out: string[] = [];
    let pos = 0;
    try {
      if (this.#pending.length > 0) {
        const head: Buffer[] = [];
        pos = this.#finishPending(chunk, head);
        if (pos < 0) return { records: out, failure: null };
        // `#addText` counts the record that `#finishPending` counted already.
        this.count -= head.length;
        this.#addText(head[0]!, out, originals);
      }
      const last = chunk.lastIndexOf(this.#byte);
      // Decoding in windows of about 64 KiB keeps strings out of V8's large-object space, where
      // building and collecting them costs several times more.
      while (last >= pos) {
        let cut = last;
        if (last - pos > TEXT_WINDOW) {
          cut = chunk.lastIndexOf(this.#byte, pos + TEXT_WINDOW);
          if (cut < pos) cut = chunk.indexOf(this.#byte, pos + TEXT_WINDOW);
        }
        // Past the size limit, the byte path below checks each record's length.
        const small = cut - pos <= this.#limits.maxRecord;
        const text = small ? chunk.toString('utf8', pos, cut) : '';
        if (small && !text.includes(REPLACEMENT)) {
          const records = text.split(this.#char);
          out = out.length === 0 ? records : out.concat(records);
          this.count += records.length;
        } else {
          const views: Buffer[] = [];
          try {
            this.push(chunk.subarray(pos, cut + 1), views);
          } finally {
            this.count -= views.length;
            for (const view of views) this.#addText(view, out, originals);
          }
        }
        pos = cut + 1;
      }
      this.#keep(chunk.subarray(pos));
    } catch (error) {
      return { records: out, failure: error };
    }
    return { records: out, failure: null };
  }

  encoded(first: Buffer, last: Buffer): Buffer {
    const end = last.byteOffset + last.length + this.#delimiter.length;
    return viewAt(first.buffer, first.byteOffset, end - first.byteOffset);
  }

  end(out: Buffer[]): void {
    this.spanStart = out.length + 1;
    if (this.#pending.length === 0) return;
    out.push(this.#pending.take());
    this.count++;
  }

  /** Like `end`, as text. */
  endText(out: string[], originals: (Buffer | string)[]): void {
    const last: Buffer[] = [];
    this.end(last);
    this.count -= last.length;
    if (last.length > 0) this.#addText(last[0]!, out, originals);
  }

  #addText(record: Buffer, out: string[], originals: (Buffer | string)[]): void {
    const text = record.toString('utf8');
    if (text.includes(REPLACEMENT)) originals[out.length] = record;
    out.push(text);
    this.count++;
  }

  /**
   * Ends the pending record with the first delimiter that ends in `chunk`, wherever it began.
   * Returns where the next record starts in `chunk`, or -1 when the whole chunk was kept.
   */
  #finishPending(chunk: Buffer, out: Buffer[]): number {
    const end = this.#finder.next(chunk, 0);
    if (end < 0) {
      this.#keep(chunk);
      return -1;
    }
    const record = this.#pending.take(chunk.subarray(0, end));
    this.#emit(record.subarray(0, record.length - this.#delimiter.length), out);
    return end;
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
