import { fstatSync, type Stats } from 'node:fs';
import { type RecordError, recordTooLarge } from '../../filters/index.js';
import { PIECE } from '../workers/block.js';
import type { RangeCut } from './range-cut.js';
import { countEnds, fileChanged, type RangeFile, readAt } from './range-file.js';
import type { LongRecord, RecordMeasure } from './record-measure.js';

/** How much of a range's end is read first to find its last record end, when nothing is counted. */
const TAIL = 64 * 1024;

/**
 * Record ends found in a regular file by reading it, for the range reader (range-input.ts):
 * the last one in a range, counted ones a piece at a time, and the end of a record larger than a
 * block. Reads go through one scratch buffer of a piece, and every read checks the file against
 * its state when reading began (`begin`): a file that grew, shrank or was rewritten is an error
 * naming it, not silent loss.
 */
export class RangeScan {
  readonly #file: RangeFile;
  readonly #cut: RangeCut;
  readonly #maxRecord: number;
  readonly #maxRecordName: string;
  #start: Stats | null = null;
  #scratch: Buffer | null = null;

  constructor(file: RangeFile, cut: RangeCut, maxRecord: number, maxRecordName = '--max-record') {
    this.#maxRecordName = maxRecordName;
    this.#file = file;
    this.#cut = cut;
    this.#maxRecord = maxRecord;
  }

  /** Notes the file as reading begins; its size. */
  begin(): number {
    this.#start = fstatSync(this.#file.fd);
    return this.#start.size;
  }

  /** Throws when the file is not as reading began (`short`: a read found its end early). */
  check(short = false): void {
    const error = fileChanged(this.#file.name, this.#start!, this.#file.fd, short);
    if (error !== null) throw error;
  }

  /** Reads `length` bytes at `position`, all of them: fewer means the file shrank. */
  async readAll(into: Buffer, length: number, position: number): Promise<number> {
    let got = 0;
    while (got < length) {
      const n = await readAt(this.#file.fd, into, got, length - got, position + got);
      if (n === 0) this.check(true);
      got += n;
    }
    return got;
  }

  /** Just past the last record end in `data`, or 0 when none ends in it. */
  lastEnd(data: Buffer): number {
    if (this.#cut.kind === 'fixed') return data.length - (data.length % this.#cut.size);
    const { delimiter } = this.#cut;
    const at = data.lastIndexOf(delimiter, data.length - delimiter.length);
    return at < 0 ? 0 : at + delimiter.length;
  }

  /**
   * Just past the last record end in a range, found by reading back from its end a little at a
   * time (64 KiB, then a piece, and so on), or 0 when none ends in it. Each read overlaps the one
   * after it by a delimiter's length less one, so that a delimiter cut by a read is found whole.
   */
  async lastEndNear(position: number, length: number): Promise<number> {
    const scratch = this.#scratchBuffer();
    const overlap = this.#cut.kind === 'delimiter' ? this.#cut.delimiter.length - 1 : 0;
    let to = length;
    for (let want = TAIL; to > 0; want = PIECE) {
      const from = Math.max(0, to - want);
      await this.readAll(scratch, to - from, position + from);
      const end = this.lastEnd(scratch.subarray(0, to - from));
      if (end > 0) return from + end;
      if (from === 0) return 0;
      to = from + overlap;
    }
    return 0;
  }

  /**
   * The record ends in a range, read a piece at a time, and just past the last, 0 when none ends
   * in it. Each read takes again the last bytes of the one before, a delimiter's length less
   * one (none for one byte), so that a delimiter cut by a piece's end is counted whole, and once:
   * a delimiter that cannot overlap itself (`rangeCut`) has no end in those bytes alone.
   */
  async countRange(
    position: number,
    length: number,
    delimiter: Buffer,
    measure?: RecordMeasure,
  ): Promise<{ found: number; lastEnd: number }> {
    const scratch = this.#scratchBuffer();
    const overlap = delimiter.length - 1;
    let found = 0;
    let lastEnd = 0;
    measure?.start();
    for (let at = 0; at < length; ) {
      const back = Math.min(overlap, at);
      const n = Math.min(scratch.length - back, length - at);
      await this.readAll(scratch, back + n, position + at - back);
      if (measure !== undefined)
        await this.measured(measure.push(scratch.subarray(back, back + n)), position);
      const ends = countEnds(scratch.subarray(0, back + n), delimiter);
      if (ends.found > 0) {
        found += ends.found;
        lastEnd = at - back + ends.end;
      }
      at += n;
    }
    return { found, lastEnd };
  }

  /**
   * A record larger than a block (the `searched` bytes read for it hold no record end): its end
   * found first, by reading on through the scratch buffer, then the record read whole into memory
   * of its own size. So it is in memory once, not in a buffer grown by doubling with each copy
   * alive beside the next, and a record over the size limit is refused before any memory is
   * taken for it.
   */
  async oneRecord(searched: number, position: number, size: number): Promise<Buffer> {
    const { end, length } = await this.#recordEnd(searched, position, size);
    // As a stream's splitter measures a whole record: without its delimiter.
    if (length > this.#maxRecord) throw await this.#tooLarge(position, length, true);
    const data = Buffer.allocUnsafeSlow(end);
    await this.readAll(data, end, position);
    return data;
  }

  #scratchBuffer(): Buffer {
    this.#scratch ??= Buffer.allocUnsafeSlow(PIECE);
    return this.#scratch;
  }

  /**
   * Where the record at `position` ends (bytes from `position`), and its length without its
   * delimiter, searched for from `searched` on; a record still without its end past the size
   * limit is an error.
   */
  async #recordEnd(
    searched: number,
    position: number,
    size: number,
  ): Promise<{ end: number; length: number }> {
    const cut = this.#cut;
    const left = size - position;
    if (cut.kind === 'fixed') {
      const end = Math.min(cut.size, left);
      return { end, length: end };
    }
    const { delimiter } = cut;
    // Each read overlaps the one before by a delimiter's length less one: none is cut in two.
    const overlap = delimiter.length - 1;
    const scratch = this.#scratchBuffer();
    let from = Math.max(0, searched - overlap);
    for (;;) {
      if (from + overlap > this.#maxRecord) throw await this.#tooLarge(position, from + overlap);
      const n = Math.min(scratch.length, left - from);
      // No delimiter ends before the file does: the record is the input's last.
      if (n <= overlap) return { end: left, length: left };
      await this.readAll(scratch, n, position + from);
      const at = scratch.subarray(0, n).indexOf(delimiter);
      if (at >= 0) return { end: from + at + delimiter.length, length: from + at };
      from += n - overlap;
    }
  }

  /**
   * Throws for a record over the limit that a measure (record-measure.ts) found in the block at
   * `position`; nothing for none.
   */
  async measured(long: LongRecord | null, position: number): Promise<void> {
    if (long !== null) throw await this.#tooLarge(position + long.start, long.size, long.whole);
  }

  /** The message of a record too large, numbered by reading the file up to it (a rare path). */
  async #tooLarge(position: number, size: number, whole = false): Promise<RecordError> {
    let records = 0;
    const cut = this.#cut;
    if (cut.kind === 'fixed') records = (position - this.#file.start) / cut.size;
    else {
      const buffer = Buffer.allocUnsafe(1 << 20);
      for (let at = this.#file.start; at < position; ) {
        const n = await readAt(
          this.#file.fd,
          buffer,
          0,
          Math.min(buffer.length, position - at),
          at,
        );
        if (n === 0) break;
        // Read on from the last delimiter's end, so that none is cut in two between reads.
        const { found, end } = countEnds(buffer.subarray(0, n), cut.delimiter);
        records += found;
        if (at + n >= position) break;
        at += found > 0 ? end : Math.max(1, n - cut.delimiter.length + 1);
      }
    }
    const at = { input: 'input', record: records + 1 };
    return recordTooLarge(at, this.#maxRecord, size, whole, this.#maxRecordName);
  }
}
