import type { Limits } from './decoder.js';
import { DelimiterFinder } from './delimiter-finder.js';
import { EndedDecoder } from './ended.js';

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
export class DelimitedDecoder extends EndedDecoder {
  readonly #byte: number;
  readonly #char: string;

  constructor(delimiter: Buffer, limits: Limits) {
    super(new DelimiterFinder(delimiter), delimiter.length, limits);
    this.#byte = delimiter.length === 1 ? delimiter[0]! : -1;
    this.#char = delimiter.toString('latin1');
  }

  /** Whether the unfinished record kept from the last read is (partly) a view of `memory`. */
  holds(memory: ArrayBufferLike): boolean {
    return this.pending.holds(memory);
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
      if (this.pending.length > 0) {
        const head: Buffer[] = [];
        pos = this.finishPending(chunk, head);
        if (pos < 0) return { records: out, failure: null };
        // `#addText` counts the record that `finishPending` counted already.
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
        const small = cut - pos <= this.limits.maxRecord;
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
      this.keep(chunk.subarray(pos));
    } catch (error) {
      return { records: out, failure: error };
    }
    return { records: out, failure: null };
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
}
