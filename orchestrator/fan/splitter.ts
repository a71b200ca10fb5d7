import { placeAt } from '../../filters/errors.js';
import {
  type BoundaryFinder,
  createBoundaryFinder,
  framingBytes,
} from '../../filters/framing/boundary.js';
import { type Framing, type KeySpec, RecordError, recordTooLarge } from '../../filters/index.js';
import { routingKey } from '../../filters/keys.js';
import { frameTooLarge } from '../../filters/size.js';
import type { Block } from '../workers/block.js';
import type { BlockPlan } from './blocks-per-worker.js';
import { bytesOf, newRuns, type Runs, runTooLarge } from './runs.js';
import { takeFront } from './take-front.js';

/**
 * Cuts the input into blocks that end on record boundaries: as many whole records as fit in
 * `blockSize` bytes, or one record when even the first does not fit (a record larger than a
 * block is a block of its own); or, given `records` (--records), so many records a block,
 * whatever their size, the last block fewer. A block is the views read, not a copy. Records are
 * found once, as the bytes arrive, by the framing's boundary finder, and counted as they are
 * found. Offsets are counted from the start of the input.
 */
export class Splitter {
  #blockSize: number;
  /** A negative --block's: where blocks end, planned from the input's size. */
  #plan: BlockPlan | null = null;
  readonly #maxRecord: number;
  /** --max-record as messages spell it (a config's `max-record`). */
  readonly #maxRecordName: string;
  /** Null for raw input, which has no records to end blocks on. */
  readonly #finder: BoundaryFinder | null;
  readonly #framing: Framing;
  readonly #overhead: number;
  #parts: Buffer[] = [];
  /** Bytes read so far; where the uncut bytes start. */
  #total = 0;
  #start = 0;
  /** The end of the last record found, and how many records end after `#start` up to it. */
  #lastEnd = 0;
  #records = 0;
  #seq = 0;
  #nextRecord = 1;
  /** Records a block (--records), or 0: blocks of about `#blockSize` bytes. */
  readonly #perBlock: number;
  /** --group-by: blocks end only where the key changes (`#grouped`). */
  #groups: Runs | null = null;

  constructor(
    framing: Framing,
    blockSize: number,
    maxRecord: number,
    maxRecordName = '--max-record',
    records?: number,
  ) {
    this.#maxRecordName = maxRecordName;
    this.#perBlock = records ?? 0;
    this.#framing = framing;
    this.#blockSize = blockSize;
    this.#maxRecord = maxRecord;
    this.#finder = framing.kind === 'raw' ? null : createBoundaryFinder(framing);
    this.#overhead = framingBytes(framing);
  }

  /**
   * Blocks end only between records whose `key`s differ: each a run of records with one key,
   * whole (--group-by). `name` and `maxRecordName` spell the options in messages.
   */
  grouped(key: KeySpec, name: string, maxRecordName: string): void {
    this.#groups = newRuns(key, name, maxRecordName, this.#framing);
  }

  /** Blocks end where a negative --block's plan says, from now on (`resize` is then ignored). */
  planned(plan: BlockPlan): void {
    this.#plan = plan;
  }

  /** The size of the blocks cut from now on (per-block workers' grow: block-size.ts). */
  resize(blockSize: number): void {
    if (this.#plan === null) this.#blockSize = blockSize;
  }

  /**
   * `records` came before the first byte pushed (the header --header took off): the input's
   * records are numbered from after them, as its lines are (`sed -n Np` shows record N).
   */
  skip(records: number): void {
    this.#nextRecord += records;
  }

  /** Adds a chunk of input and returns the blocks it completes. */
  push(chunk: Buffer): Block[] {
    if (chunk.length === 0) return [];
    const blocks: Block[] = [];
    const base = this.#total;
    this.#parts.push(chunk);
    this.#total += chunk.length;
    const finder = this.#finder;
    if (finder === null) {
      if (this.#total - this.#start >= this.#blockSize) {
        blocks.push(this.#take(this.#total, this.#parts.length));
      }
      return blocks;
    }
    // A record known to end by the start string after it ended that many bytes before, and the
    // bytes after the last end found that may still hold an end not yet found.
    const lookahead = finder.lookahead ?? 0;
    const behind = base - lookahead;
    for (let end = finder.next(chunk, 0); end >= 0; end = finder.next(chunk, end)) {
      this.#ended(behind + end, blocks);
    }
    // Bytes past a block's size after its last record end: the record they begin cannot fit.
    // Exactly its size may still be one that fits, ended by the input's end or by the start
    // string of the next (`start:`), so it waits for them (a negative --block's last block
    // would be cut in two: one more block than planned).
    if (
      this.#perBlock === 0 &&
      this.#groups === null &&
      this.#records > 0 &&
      this.#total - lookahead - this.#start > this.#blockSize
    ) {
      blocks.push(this.#take(this.#lastEnd, this.#records));
    }
    // A frame whose header says it is over the limit is refused now, not read up to the limit.
    const announced = finder.announced ?? -1;
    if (announced > this.#maxRecord) {
      const at = { input: 'input', record: this.#nextRecord + this.#records };
      throw frameTooLarge(at, announced, this.#maxRecord, this.#maxRecordName);
    }
    // The record in progress so far: not a delimiter or start string that may be begun.
    const open = this.#total - this.#lastEnd - (finder.framingHeld ?? lookahead);
    if (open > this.#maxRecord) throw this.#tooLarge(open, false);
    return blocks;
  }

  /**
   * The whole records read and not yet in a block, as a block however small: the input has
   * paused, and they are passed on rather than held until a block fills. Raw input has no
   * records: all of it. Blocks of so many records (`--records`) wait for their last one, as
   * `parallel --pipe -N` waits, or for the input's end.
   */
  flush(): Block[] {
    if (this.#perBlock > 0) return [];
    if (this.#finder === null) {
      return this.#total === this.#start ? [] : [this.#take(this.#total, this.#parts.length)];
    }
    const groups = this.#groups;
    // Runs of one key: the last may go on after the pause; the whole ones before it go.
    if (groups !== null) return groups.at > this.#start ? [this.#cutAtGroup(groups)] : [];
    return this.#records === 0 ? [] : [this.#take(this.#lastEnd, this.#records)];
  }

  /** The last block: whatever is left, a final record without its delimiter included. */
  end(): Block[] {
    // The ends a finder is sure of only now, at the input's end (`regexp`).
    const blocks: Block[] = [];
    for (const back of this.#finder?.finish?.() ?? []) this.#ended(this.#total - back, blocks);
    if (this.#total === this.#start) return blocks;
    if (this.#framing.kind === 'frames' && this.#total > this.#lastEnd) {
      throw new RecordError(
        { input: 'input', record: this.#nextRecord + this.#records },
        `truncated frame: the input ends inside a frame (${this.#total - this.#lastEnd} bytes left over)`,
        { code: 'manifold.truncatedRecord' },
      );
    }
    // The last record, ended by the input's end, its bytes all its own (a delimiter begun at
    // the end is the record's): measured as any other.
    const last = this.#total - this.#lastEnd;
    if (this.#finder !== null && last > this.#maxRecord) throw this.#tooLarge(last, true);
    // --group-by: the last record, ended by the input's end (no delimiter after it: a record
    // that begins with a string ends only so), is weighed as any other: its run may be new.
    if (this.#groups !== null && this.#total > this.#lastEnd) {
      this.#endedInGroup(this.#groups, this.#total, blocks, 0);
    }
    const records =
      this.#finder === null
        ? this.#parts.length
        : this.#records + (this.#total > this.#lastEnd ? 1 : 0);
    blocks.push(this.#take(this.#total, records));
    return blocks;
  }

  /** A record ends at `end`: cut before it if it would overflow the block, or after it. */
  #ended(end: number, blocks: Block[]): void {
    // A delimiter that varies (`delim-re:`) is the finder's to say, as long as it matched.
    const delimiter = this.#finder?.delimiterBefore?.(end);
    const size = end - this.#lastEnd - (delimiter ?? this.#overhead);
    if (size > this.#maxRecord) throw this.#tooLarge(size, true);
    if (this.#groups !== null) {
      this.#endedInGroup(this.#groups, end, blocks, delimiter);
      return;
    }
    if (this.#perBlock > 0) {
      this.#lastEnd = end;
      if (++this.#records === this.#perBlock) blocks.push(this.#take(end, this.#records));
      return;
    }
    if (this.#records > 0 && end - this.#start > this.#blockSize) {
      blocks.push(this.#take(this.#lastEnd, this.#records));
    }
    this.#lastEnd = end;
    this.#records++;
    if (end - this.#start >= this.#blockSize) blocks.push(this.#take(end, this.#records));
  }

  /**
   * A record ends at `end` under --group-by. One whose key differs from the record before it
   * starts a run: the block so far, whole runs, is cut there if it has reached the block's size.
   * A run that then grows the block past its size is left for the next block: the block is cut
   * where the run began (a run larger than a block is a block of its own, up to --max-record).
   */
  #endedInGroup(groups: Runs, end: number, blocks: Block[], tail = groups.tail): void {
    const start = this.#lastEnd;
    let key: Buffer;
    try {
      key = routingKey(
        groups.key,
        bytesOf(this.#parts, this.#start, start + groups.head, end - tail),
      );
    } catch (error) {
      throw placeAt({ input: 'input', record: this.#nextRecord + this.#records }, error);
    }
    if (groups.last === null || !key.equals(groups.last)) {
      groups.last = Buffer.from(key);
      if (this.#records > 0 && start - this.#start >= this.#blockSize)
        blocks.push(this.#take(start, this.#records));
      groups.at = start;
      groups.records = this.#records;
    }
    this.#lastEnd = end;
    this.#records++;
    if (end - this.#start > this.#blockSize && groups.at > this.#start)
      blocks.push(this.#cutAtGroup(groups));
    // A run's size as a record's: its last delimiter not counted (one record is its own size).
    const run = end - groups.at - tail;
    if (run > this.#maxRecord)
      throw runTooLarge(groups, this.#nextRecord + groups.records, run, this.#maxRecord);
  }

  /** The block of the whole runs before the last run began; that run's records stay. */
  #cutAtGroup(groups: Runs): Block {
    const rest = this.#records - groups.records;
    const block = this.#take(groups.at, groups.records);
    this.#records = rest;
    groups.records = 0;
    return block;
  }

  #tooLarge(size: number, whole: boolean): RecordError {
    const record = this.#nextRecord + this.#records;
    return recordTooLarge(
      { input: 'input', record },
      this.#maxRecord,
      size,
      whole,
      this.#maxRecordName,
    );
  }

  /** Takes the bytes up to `cut` as a block of `records` records. */
  #take(cut: number, records: number): Block {
    const bytes = cut - this.#start;
    const parts = takeFront(this.#parts, bytes);
    this.#start = cut;
    if (this.#plan !== null) this.#blockSize = this.#plan.next(cut);
    this.#records = 0;
    const block: Block = {
      seq: this.#seq++,
      parts,
      bytes,
      firstRecord: this.#nextRecord,
      records,
      failures: 0,
      // Its place made now: added later (`Block.release`), it took an array of its own.
      release: undefined,
    };
    this.#nextRecord += records;
    return block;
  }
}
