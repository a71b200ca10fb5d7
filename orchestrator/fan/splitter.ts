import { type Framing, formatSize, RecordError } from '../../filters/index.js';
import type { Block } from './block.js';
import { countRecords, LongRecord } from './records.js';

/**
 * Cuts the input into blocks that end on record boundaries: as many whole records as fit in
 * `blockSize` bytes, or one record when even the first does not fit (a record larger than a
 * block is a block of its own). A block is the views read, not a copy. Records are counted as
 * they are cut, for attribution, statistics and messages.
 */
export class Splitter {
  readonly #framing: Framing;
  readonly #blockSize: number;
  readonly #maxRecord: number;
  #parts: Buffer[] = [];
  #bytes = 0;
  #seq = 0;
  #nextRecord = 1;
  /** Frames: the end of the last whole frame scanned, how many, and where to cut (0: not yet). */
  #frameEnd = 0;
  #frameRecords = 0;
  #frameCut = 0;

  constructor(framing: Framing, blockSize: number, maxRecord: number) {
    this.#framing = framing;
    this.#blockSize = blockSize;
    this.#maxRecord = maxRecord;
  }

  /** Adds a chunk of input and returns the blocks it completes. */
  push(chunk: Buffer): Block[] {
    if (chunk.length === 0) return [];
    this.#parts.push(chunk);
    this.#bytes += chunk.length;
    const blocks: Block[] = [];
    while (this.#bytes >= this.#blockSize) {
      const cut = this.#findCut();
      // A block past the block size holds one record only: that record must fit the maximum.
      const size = cut > 0 ? cut : this.#bytes;
      if (size > this.#blockSize && size > this.#maxRecord) throw this.#tooLarge(size, cut > 0);
      if (cut <= 0) break;
      blocks.push(this.#take(cut));
    }
    return blocks;
  }

  #tooLarge(size: number, whole: boolean): RecordError {
    return new RecordError(
      { input: 'input', record: this.#nextRecord },
      `record is larger than the maximum record size ${formatSize(this.#maxRecord)} (${formatSize(size)}${whole ? '' : ' so far'}); raise it with --max-record`,
      { code: 'manifold.recordTooLarge' },
    );
  }

  /** The last block: whatever is left, a final record without its delimiter included. */
  end(): Block[] {
    if (this.#bytes === 0) return [];
    if (this.#bytes > this.#blockSize && this.#bytes > this.#maxRecord && this.#findCut() <= 0) {
      throw this.#tooLarge(this.#bytes, true);
    }
    if (this.#framing.kind === 'frames') {
      this.#scanFrames(Number.POSITIVE_INFINITY);
      if (this.#frameEnd < this.#bytes) {
        throw new RecordError(
          { input: 'input', record: this.#nextRecord + this.#frameRecords },
          `truncated frame: the input ends inside a frame (${this.#bytes - this.#frameEnd} bytes left over)`,
          { code: 'manifold.truncatedRecord' },
        );
      }
    }
    return [this.#take(this.#bytes)];
  }

  /**
   * Where to cut: after the last record that ends within `blockSize`, else after the first
   * record; 0 while that record has not ended yet.
   */
  #findCut(): number {
    const framing = this.#framing;
    const size = this.#blockSize;
    switch (framing.kind) {
      case 'delimited': {
        const within = this.#lastDelimiterEndWithin(framing.delimiter, size);
        return within > 0 ? within : this.#delimiterEndFrom(framing.delimiter, 0);
      }
      case 'fixed': {
        const cut = Math.max(Math.floor(size / framing.size), 1) * framing.size;
        return cut <= this.#bytes ? cut : 0;
      }
      case 'frames':
        this.#scanFrames(size);
        return this.#frameCut;
      case 'raw':
        return this.#bytes;
    }
  }

  /** The end of the last delimiter that ends at or before `limit`, or 0. */
  #lastDelimiterEndWithin(delimiter: Buffer, limit: number): number {
    if (delimiter.length > 1) {
      // Forward, so that a delimiter split between two reads is seen: rare enough to afford.
      let found = 0;
      for (let end = this.#delimiterEndFrom(delimiter, 0); end > 0 && end <= limit; ) {
        found = end;
        end = this.#delimiterEndFrom(delimiter, end);
      }
      return found;
    }
    let offset = 0;
    let found = 0;
    for (const part of this.#parts) {
      if (offset >= limit) break;
      const at = part.lastIndexOf(delimiter[0]!, Math.min(part.length, limit - offset) - 1);
      if (at >= 0) found = offset + at + 1;
      offset += part.length;
    }
    return found;
  }

  /** The end of the first delimiter that starts at or after `from`, or 0; seams included. */
  #delimiterEndFrom(delimiter: Buffer, from: number): number {
    let offset = 0;
    for (let i = 0; i < this.#parts.length; i++) {
      const part = this.#parts[i]!;
      const start = Math.max(from - offset, 0);
      if (start < part.length) {
        const at =
          delimiter.length === 1
            ? part.indexOf(delimiter[0]!, start)
            : part.indexOf(delimiter, start);
        if (at >= 0) return offset + at + delimiter.length;
        const next = this.#parts[i + 1];
        if (delimiter.length > 1 && next !== undefined) {
          const tail = part.subarray(Math.max(start, part.length - (delimiter.length - 1)));
          const seam = Buffer.concat([tail, next.subarray(0, delimiter.length - 1)]);
          const inSeam = seam.indexOf(delimiter);
          if (inSeam >= 0 && inSeam < tail.length) {
            return offset + part.length - tail.length + inSeam + delimiter.length;
          }
        }
      }
      offset += part.length;
    }
    return 0;
  }

  /**
   * Walks frame headers while frames fit within `until`, and sets where to cut: after the last
   * frame that fits, once the next cannot; or after the first frame when it alone is larger.
   */
  #scanFrames(until: number): void {
    this.#frameCut = 0;
    for (;;) {
      if (this.#frameEnd + 4 > this.#bytes) {
        if (this.#frameRecords > 0 && this.#frameEnd + 4 > until) this.#frameCut = this.#frameEnd;
        return;
      }
      const end = this.#frameEnd + 4 + this.#readUInt32(this.#frameEnd);
      if (end > until && this.#frameRecords > 0) {
        this.#frameCut = this.#frameEnd;
        return;
      }
      if (end > this.#bytes) return;
      this.#frameEnd = end;
      this.#frameRecords++;
      if (end > until) {
        this.#frameCut = end;
        return;
      }
    }
  }

  #readUInt32(offset: number): number {
    let value = 0;
    for (let i = 0; i < 4; i++) value = value * 256 + this.#byteAt(offset + i);
    return value;
  }

  #byteAt(offset: number): number {
    for (const part of this.#parts) {
      if (offset < part.length) return part[offset]!;
      offset -= part.length;
    }
    throw new RangeError('offset past the data');
  }

  /** Takes the first `cut` bytes as a block. */
  #take(cut: number): Block {
    const parts: Buffer[] = [];
    let left = cut;
    while (left > 0) {
      const part = this.#parts[0]!;
      if (part.length <= left) {
        parts.push(part);
        this.#parts.shift();
        left -= part.length;
      } else {
        parts.push(part.subarray(0, left));
        this.#parts[0] = part.subarray(left);
        left = 0;
      }
    }
    this.#bytes -= cut;
    let records: number;
    if (this.#framing.kind === 'frames') {
      records = this.#frameRecords;
      this.#frameRecords = 0;
      this.#frameEnd = 0;
    } else {
      try {
        records = countRecords(parts, this.#framing, this.#maxRecord);
      } catch (error) {
        if (!(error instanceof LongRecord)) throw error;
        throw new RecordError(
          { input: 'input', record: this.#nextRecord + error.index },
          `record is larger than the maximum record size ${formatSize(this.#maxRecord)} (${formatSize(error.size)}); raise it with --max-record`,
          { code: 'manifold.recordTooLarge' },
        );
      }
    }
    const block: Block = {
      seq: this.#seq++,
      parts,
      bytes: cut,
      firstRecord: this.#nextRecord,
      records,
      failures: 0,
    };
    this.#nextRecord += records;
    return block;
  }
}
