import { type Framing, formatSize, RecordError } from '../../filters/index.js';
import type { Block } from './block.js';

/**
 * Cuts the input into blocks that end on record boundaries: `blockSize` bytes, extended to the
 * end of the record they stop in (as `parallel --block`). A block is the views read, not a
 * copy; a record larger than a block makes a block of its own. Records are counted as they are
 * cut, for attribution, statistics and messages.
 */
export class Splitter {
  readonly #framing: Framing;
  readonly #blockSize: number;
  readonly #maxRecord: number;
  #parts: Buffer[] = [];
  #bytes = 0;
  #seq = 0;
  #nextRecord = 1;
  /** Frames: bytes of the current block up to the last whole frame; and where the next one starts. */
  #frameEnd = 0;
  #frameScan = 0;
  #frameRecords = 0;

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
    if (this.#framing.kind === 'frames') this.#scanFrames(this.#blockSize);
    while (this.#bytes >= this.#blockSize) {
      const cut = this.#findCut();
      if (cut <= 0) {
        if (this.#bytes > this.#maxRecord) {
          throw new RecordError(
            { input: 'input', record: this.#nextRecord },
            `record is larger than the maximum record size ${formatSize(this.#maxRecord)} (${formatSize(this.#bytes)} so far); raise it with --max-record`,
            { code: 'manifold.recordTooLarge' },
          );
        }
        break;
      }
      blocks.push(this.#take(cut));
      if (this.#framing.kind === 'frames') this.#scanFrames(this.#blockSize);
    }
    return blocks;
  }

  /** The last block: whatever is left, the final record without its delimiter included. */
  end(): Block[] {
    if (this.#bytes === 0) return [];
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

  /** Where to cut: the end of the first record that reaches `blockSize`, or 0 if none has yet. */
  #findCut(): number {
    const framing = this.#framing;
    switch (framing.kind) {
      case 'delimited':
        return this.#delimiterEndFrom(
          framing.delimiter,
          this.#blockSize - framing.delimiter.length,
        );
      case 'fixed': {
        const cut = Math.ceil(this.#blockSize / framing.size) * framing.size;
        return cut <= this.#bytes ? cut : 0;
      }
      case 'frames':
        return this.#frameEnd >= this.#blockSize ? this.#frameEnd : 0;
      case 'raw':
        return this.#bytes;
    }
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

  /** Walks frame headers up to the first frame that ends at or past `until`. */
  #scanFrames(until: number): void {
    while (this.#frameEnd < until && this.#frameScan + 4 <= this.#bytes) {
      const length = this.#readUInt32(this.#frameScan);
      if (this.#frameScan + 4 + length > this.#bytes) break;
      this.#frameScan += 4 + length;
      this.#frameEnd = this.#frameScan;
      this.#frameRecords++;
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
    const records = this.#countRecords(parts, cut);
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

  #countRecords(parts: Buffer[], bytes: number): number {
    const framing = this.#framing;
    switch (framing.kind) {
      case 'delimited':
        return countDelimited(parts, framing.delimiter);
      case 'fixed':
        return Math.ceil(bytes / framing.size);
      case 'frames': {
        const records = this.#frameRecords;
        this.#frameRecords = 0;
        this.#frameScan -= bytes;
        this.#frameEnd -= bytes;
        return records;
      }
      case 'raw':
        return parts.length;
    }
  }
}

/** Records in whole-record bytes: delimiters, plus a final record that lacks one. */
function countDelimited(parts: Buffer[], delimiter: Buffer): number {
  const whole = delimiter.length === 1 || parts.length === 1 ? parts : [Buffer.concat(parts)];
  let count = 0;
  for (const part of whole) {
    if (delimiter.length === 1) {
      const byte = delimiter[0]!;
      for (let at = part.indexOf(byte); at >= 0; at = part.indexOf(byte, at + 1)) count++;
    } else {
      for (
        let at = part.indexOf(delimiter);
        at >= 0;
        at = part.indexOf(delimiter, at + delimiter.length)
      )
        count++;
    }
  }
  const last = whole.at(-1)!;
  const endsWithDelimiter =
    last.length >= delimiter.length &&
    last.subarray(last.length - delimiter.length).equals(delimiter);
  return endsWithDelimiter ? count : count + 1;
}
