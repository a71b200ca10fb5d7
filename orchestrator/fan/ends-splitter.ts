import {
  type Framing,
  type RecordError,
  type RecordPosition,
  recordTooLarge,
} from '../../filters/index.js';
import type { Block } from '../workers/block.js';
import type { BlockPlan } from './blocks-per-worker.js';
import { countRecords } from './records.js';
import { takeFront } from './take-front.js';

/**
 * Cuts input of records ended by one byte into blocks by looking for a record end near each
 * block's end only: the bytes in between are not scanned to cut them, nor their records counted
 * one by one (a block's `records` is -1, `firstRecord` 0; whoever reads every record anyway
 * numbers them: `HashPartitioner`). The cuts are the counting `Splitter`'s: as many whole
 * records as fit in the block size, or one record when even the first does not fit.
 *
 * Where nobody reads the records (whole blocks sent to workers: `counted` null), none is
 * numbered, and a record over the maximum is named by the offset of its first byte; unless
 * `numbered` is given (attributed workers, told their blocks' first records): then each block's
 * records are counted by that framing as it is cut (`countRecords`, many at a time), and a
 * record over the maximum is named by its number.
 */
export class EndsSplitter {
  #blockSize: number;
  /** A negative --block's: where blocks end, planned from the input's size. */
  #plan: BlockPlan | null = null;
  readonly #maxRecord: number;
  /** --max-record as messages spell it (a config's `max-record`). */
  readonly #maxRecordName: string;
  readonly #delimiter: number;
  #parts: Buffer[] = [];
  /** Bytes read so far; where the uncut bytes start. */
  #total = 0;
  #start = 0;
  /** A record longer than a block: how far its end has been looked for. */
  #scanned = 0;
  #seq = 0;
  /**
   * The parts of the blocks cut since `consumed` was last called; undefined where the blocks
   * keep their views (nobody copies them out).
   */
  #consumed: Buffer[] | undefined;

  /** How many records the blocks cut so far hold, once their reader has counted them. */
  readonly #counted: (() => number) | null;
  /** The framing blocks are numbered by, or null. */
  readonly #numbered: Framing | null;
  /** Numbered: the number of the next block's first record. */
  #nextRecord = 1;
  /** The records before the first byte pushed (`skip`). */
  #skipped = 0;

  constructor(
    delimiter: number,
    blockSize: number,
    maxRecord: number,
    counted: (() => number) | null,
    numbered: Framing | null = null,
    maxRecordName = '--max-record',
  ) {
    this.#maxRecordName = maxRecordName;
    this.#delimiter = delimiter;
    this.#counted = counted;
    this.#numbered = counted === null ? numbered : null;
    this.#consumed = counted === null ? undefined : [];
    this.#blockSize = blockSize;
    this.#maxRecord = maxRecord;
  }

  /** Blocks end where a negative --block's plan says, from now on (`resize` is then ignored). */
  planned(plan: BlockPlan): void {
    this.#plan = plan;
  }

  resize(blockSize: number): void {
    if (this.#plan === null) this.#blockSize = blockSize;
  }

  /**
   * `records` came before the first byte pushed (the header --header took off): numbered from
   * after them. Counted by their reader, the first block carries its first record's number.
   */
  skip(records: number): void {
    this.#nextRecord += records;
    this.#skipped += records;
  }

  /** Adds a chunk of input and returns the blocks it completes. */
  push(chunk: Buffer): Block[] {
    if (chunk.length === 0) return [];
    this.#parts.push(chunk);
    this.#total += chunk.length;
    const blocks: Block[] = [];
    // Past a block's size, not at it: a last record without its delimiter that ends the input
    // exactly at the block's size fits in it, as the splitter's rule has it (splitter.ts).
    while (this.#total - this.#start > this.#blockSize) {
      const limit = this.#start + this.#blockSize;
      let cut = this.#lastEndUpTo(limit);
      if (cut < 0) {
        cut = this.#firstEndFrom(Math.max(limit, this.#scanned));
        if (cut < 0) {
          this.#scanned = this.#total;
          const size = this.#total - this.#start;
          if (size > this.#maxRecord) throw this.#tooLarge(blocks, size, false);
          break;
        }
        // A block of one record, longer than a block: measured (without its delimiter).
        const size = cut - 1 - this.#start;
        if (size > this.#maxRecord) throw this.#tooLarge(blocks, size, true);
      }
      blocks.push(this.#take(cut));
    }
    return blocks;
  }

  /**
   * The parts of the blocks cut since the last call, every byte once: once those blocks are read
   * (picked by key, synchronously), the memory they were read into may be read into again (its
   * bytes are settled: `InputReader.recycle`, `workers/lent.ts`).
   */
  consumed(): Buffer[] {
    const chunks = this.#consumed;
    if (chunks === undefined) return [];
    this.#consumed = [];
    return chunks;
  }

  /** The whole records read and not yet in a block, as a block: the input has paused. */
  flush(): Block[] {
    if (this.#total === this.#start) return [];
    const cut = this.#lastEndUpTo(this.#total);
    return cut <= this.#start ? [] : [this.#take(cut)];
  }

  /** The last block: whatever is left, a final record without its delimiter included. */
  end(): Block[] {
    return this.#total === this.#start ? [] : [this.#take(this.#total)];
  }

  /** Just past the last delimiter in [start, limit), or -1. */
  #lastEndUpTo(limit: number): number {
    let base = this.#total;
    for (let i = this.#parts.length - 1; i >= 0; i--) {
      const part = this.#parts[i]!;
      base -= part.length;
      if (base >= limit) continue;
      // parts[0] starts at #start, so any end found lies in this block.
      const at = part.lastIndexOf(this.#delimiter, limit - base - 1);
      if (at >= 0) return base + at + 1;
    }
    return -1;
  }

  /** Just past the first delimiter at or after `from`, or -1. */
  #firstEndFrom(from: number): number {
    let base = this.#start;
    for (const part of this.#parts) {
      const next = base + part.length;
      if (next > from) {
        const at = part.indexOf(this.#delimiter, Math.max(0, from - base));
        if (at >= 0) return base + at + 1;
      }
      base = next;
    }
    return -1;
  }

  /**
   * The record's number is worked out here, on this rare path: the blocks before it counted.
   * Where they are not, the record is named by where it starts.
   */
  #tooLarge(cut: Block[], size: number, whole: boolean): RecordError {
    const tooLarge = (position: RecordPosition) =>
      recordTooLarge(position, this.#maxRecord, size, whole, this.#maxRecordName);
    // The blocks cut before it are numbered already: it is the next record.
    if (this.#numbered !== null) return tooLarge({ input: 'input', record: this.#nextRecord });
    if (this.#counted === null) return tooLarge({ input: 'input', byte: this.#start + 1 });
    let record = Math.max(this.#counted(), this.#skipped) + 1;
    for (const block of cut) {
      for (const part of block.parts) {
        for (
          let at = part.indexOf(this.#delimiter);
          at >= 0;
          at = part.indexOf(this.#delimiter, at + 1)
        )
          record++;
      }
    }
    return tooLarge({ input: 'input', record });
  }

  /** Takes the bytes up to `cut` as a block. */
  #take(cut: number): Block {
    const bytes = cut - this.#start;
    const parts = takeFront(this.#parts, bytes);
    this.#consumed?.push(...parts);
    const offset = this.#start;
    this.#start = cut;
    if (this.#plan !== null) this.#blockSize = this.#plan.next(cut);
    this.#scanned = cut;
    // Counted by their reader from the first block's number, past records skipped.
    const first = this.#counted !== null && this.#seq === 0 && this.#skipped > 0;
    const block = {
      seq: this.#seq++,
      parts,
      bytes,
      firstRecord: first ? this.#skipped + 1 : 0,
      records: -1,
      offset,
      failures: 0,
      // Its place made now: added later (`Block.release`), it took an array of its own.
      release: undefined,
    };
    if (this.#numbered !== null) this.#number(block, this.#numbered);
    return block;
  }

  /** Its records, and a last one without its delimiter (only the input's last block has one). */
  #number(block: Block, framing: Framing): void {
    const records = countRecords(block.parts, framing);
    block.firstRecord = this.#nextRecord;
    block.records = records;
    this.#nextRecord += records;
  }
}
