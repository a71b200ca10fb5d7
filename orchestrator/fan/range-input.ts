import { fstatSync, readSync, type Stats } from 'node:fs';
import { ExitCode, ManifoldError, type RecordError, recordTooLarge } from '../../filters/index.js';
import { type Block, PIECE } from '../workers/block.js';
import { giftableBuffer } from '../workers/gift.js';
import type { RangeCut } from './range-cut.js';
import { countEnds, fileChanged, type RangeFile, readAt } from './range-file.js';

/** How a RangeReader cuts beyond its cut: record numbers, and block sizes that change. */
export interface RangeOptions {
  /** Count each block's records as it is read (one search per record end, nothing else). */
  numbered?: boolean;
  /** The size of the block after the one just cut (per-block workers' blocks grow). */
  next?: () => number;
  /** Read into giftable buffers (workers/gift.ts): threads take a block's memory, not a copy. */
  gift?: boolean;
  /**
   * Leave the blocks' bytes in the file (`Block.source`): the process starter sends them into
   * the workers' pipes, or they are read a piece at a time as the pipes take them. Numbered, only
   * for a cut whose record ends a piece shows whole, one byte or records of one size; unnumbered,
   * any cut (`rangesStreamed`). A record larger than a block is still held.
   */
  streamed?: boolean;
  /** Hears a failed read of a block left in the file: the run fails for it. */
  failed?: (error: unknown) => void;
}

/** How much of a range's end is read first to find its last record end, when nothing is counted. */
const TAIL = 64 * 1024;

/** Block buffers kept for reuse: those in flight to two workers and two waiting, and spare. */
const KEPT = 8;

/**
 * Reads a regular file as blocks of byte ranges: each block is one read (`pread`, in libuv's
 * thread pool) of up to a block's bytes at its offset, cut at the last record end in it, found
 * by one search from the end; the next block is read from that cut. No byte is scanned on the
 * way, and no record counted (`records` -1; messages name a block by its bytes) unless the
 * blocks are `numbered`: then their record ends are counted, one search each. A block's
 * buffer is read into again once it is released (`Block.release`: a transport has taken it);
 * a released block read again (`Block.reread`, a retry) is read from the file anew. Blocks left
 * in the file (`streamed`) are not held at all: a numbered range is scanned a piece at a time
 * through one buffer, an unnumbered one read back from its end only, and the block is left in
 * the file for the worker's pipe to take (`Block.source`).
 * The file's size and modification time are taken at the start and checked at the end: a file
 * that grew, shrank or was rewritten while read is an error naming it, not silent loss.
 */
export class RangeReader {
  readonly #file: RangeFile;
  readonly #cut: RangeCut;
  #blockSize: number;
  readonly #maxRecord: number;
  readonly #options: RangeOptions;
  readonly #free: Buffer[] = [];
  /** The file as it was when reading began: a block read again must find it unchanged. */
  #start: Stats | null = null;
  #nextRecord = 1;
  /** The one buffer blocks left in the file are scanned through. */
  #scratch: Buffer | null = null;

  constructor(
    file: RangeFile,
    cut: RangeCut,
    blockSize: number,
    maxRecord: number,
    options: RangeOptions = {},
  ) {
    this.#file = file;
    this.#cut = cut;
    this.#blockSize = blockSize;
    this.#maxRecord = maxRecord;
    this.#options = options;
  }

  /** The blocks, in order; `wait` before each read; `closed` ends reading early. */
  async *blocks(wait: () => Promise<void>, closed: () => boolean): AsyncGenerator<Block> {
    const start = fstatSync(this.#file.fd);
    this.#start = start;
    const size = start.size;
    let position = this.#file.start;
    let seq = 0;
    while (position < size) {
      await wait();
      if (closed()) return;
      const block =
        (this.#options.streamed === true && (await this.#leftInFile(position, seq, size, start))) ||
        (await this.#held(position, seq, size, start));
      seq++;
      position += block.bytes;
      if (this.#options.next !== undefined) this.#blockSize = this.#options.next();
      yield block;
    }
    this.#check(start, fstatSync(this.#file.fd));
  }

  /** A block read into memory: one read of up to a block's bytes, cut at its last record end. */
  async #held(position: number, seq: number, size: number, start: Stats): Promise<Block> {
    const buffer = this.#buffer();
    const length = Math.min(this.#blockSize, size - position);
    const got = await this.#readAll(buffer, length, position, start);
    let data = buffer.subarray(0, got);
    // The counting splitter's rule: the rest is one block if it is smaller than a block.
    const atEnd = position + got === size;
    let cut = atEnd && got < this.#blockSize ? got : this.#lastEnd(data);
    if (cut <= 0 && atEnd) cut = got;
    if (cut <= 0) {
      ({ data, cut } = await this.#oneRecord(data.length, position, size, start));
      this.#give(buffer);
    }
    const parts = [data.subarray(0, cut)];
    const block: Block = {
      seq,
      parts,
      bytes: cut,
      firstRecord: 0,
      records: -1,
      offset: position - this.#file.start,
      failures: 0,
    };
    if (this.#options.numbered) this.#number(block, parts[0]!);
    if (data.buffer === buffer.buffer) {
      // Once, and the block forgets its bytes: a retry reads them again (`reread`). Once
      // whoever calls it: a transport calls the function it took at send, the fan the
      // block's own when it is done, and a buffer given back twice would be read into for
      // two blocks at once.
      let given = false;
      block.release = () => {
        if (given) return;
        given = true;
        block.release = undefined;
        block.parts = [];
        this.#give(buffer);
      };
      block.reread = () => this.#reread(block, position);
    }
    return block;
  }

  /**
   * A block left in the file (`streamed`): its range read a piece at a time into one buffer,
   * to find its last record end and count its records (or, unnumbered, only back from its end,
   * for its last record end), and forgotten; the range is sent from the file again
   * (`Block.source`). Null for a record larger than a block: that block is held.
   */
  async #leftInFile(
    position: number,
    seq: number,
    size: number,
    start: Stats,
  ): Promise<Block | null> {
    const cut = this.#cut;
    const length = Math.min(this.#blockSize, size - position);
    let found = 0;
    let lastEnd = 0;
    if (cut.kind === 'fixed') {
      lastEnd = length - (length % cut.size);
      found = lastEnd / cut.size;
    } else if (!this.#options.numbered) {
      lastEnd = await this.#lastEndNear(position, length, start);
    } else {
      this.#scratch ??= Buffer.allocUnsafeSlow(PIECE);
      for (let at = 0; at < length; ) {
        const n = Math.min(PIECE, length - at);
        await this.#readAll(this.#scratch, n, position + at, start);
        // A one-byte delimiter: no record end is cut in two between pieces.
        const ends = countEnds(this.#scratch.subarray(0, n), cut.delimiter);
        if (ends.found > 0) {
          found += ends.found;
          lastEnd = at + ends.end;
        }
        at += n;
      }
    }
    // The rule of blocks held: the rest is one block if it is smaller than a block.
    const atEnd = position + length === size;
    const bytes = atEnd && length < this.#blockSize ? length : lastEnd || (atEnd ? length : 0);
    if (bytes === 0) return null;
    const block: Block = {
      seq,
      parts: [],
      bytes,
      firstRecord: 0,
      records: -1,
      offset: position - this.#file.start,
      failures: 0,
      source: {
        read: (into, at, n) => this.#readLeft(into, n, position, at),
        fd: this.#file.fd,
        position,
        check: (short) => this.#unchanged(short === true),
        failed: (reason) => this.#cannotSend(position, bytes, reason),
      },
    };
    // A last record without its delimiter ends the input's last block.
    if (this.#options.numbered) this.#numberAs(block, found + (lastEnd < bytes ? 1 : 0));
    return block;
  }

  /**
   * Reads a piece of a block left in the file, from a file checked unchanged since reading
   * began (at each block's first piece): the bytes its records were counted in. A failure fails
   * the run (`RangeOptions.failed`) before it rejects.
   */
  async #readLeft(into: Buffer, length: number, position: number, at: number): Promise<void> {
    const start = this.#start!;
    try {
      if (at === 0) this.#check(start, fstatSync(this.#file.fd));
      await this.#readAll(into, length, position + at, start);
    } catch (error) {
      this.#options.failed?.(error);
      throw error;
    }
  }

  /**
   * Just past the last record end in a range, found by reading back from its end a little at a
   * time (64 KiB, then a piece, and so on), or 0 when none ends in it. Each read overlaps the one
   * after it by a delimiter's length less one, so that a delimiter cut by a read is found whole.
   */
  async #lastEndNear(position: number, length: number, start: Stats): Promise<number> {
    this.#scratch ??= Buffer.allocUnsafeSlow(PIECE);
    const overlap = this.#cut.kind === 'delimiter' ? this.#cut.delimiter.length - 1 : 0;
    let to = length;
    for (let want = TAIL; to > 0; want = PIECE) {
      const from = Math.max(0, to - want);
      await this.#readAll(this.#scratch, to - from, position + from, start);
      const end = this.#lastEnd(this.#scratch.subarray(0, to - from));
      if (end > 0) return from + end;
      if (from === 0) return 0;
      to = from + overlap;
    }
    return 0;
  }

  /** Fails the run for a block the process starter could not send into a worker's pipe. */
  #cannotSend(position: number, bytes: number, reason: string): void {
    const range = `bytes ${position + 1}-${position + bytes}`;
    const message = `cannot send ${range} of ${this.#file.name} into a worker's pipe: ${reason}`;
    this.#options.failed?.(
      new ManifoldError('manifold.io', message, { exitCode: ExitCode.failure }),
    );
  }

  /** Whether the file is as reading began; when not, the run is failed for it. */
  #unchanged(short: boolean): boolean {
    try {
      this.#check(this.#start!, fstatSync(this.#file.fd), short);
      return true;
    } catch (error) {
      this.#options.failed?.(error);
      return false;
    }
  }

  #buffer(): Buffer {
    for (;;) {
      const free = this.#free.pop();
      if (free === undefined) {
        const size = this.#blockSize;
        return this.#options.gift ? giftableBuffer(size) : Buffer.allocUnsafeSlow(size);
      }
      // Blocks that grew leave the smaller buffers behind.
      if (free.length >= this.#blockSize) return free;
    }
  }

  #give(buffer: Buffer): void {
    if (this.#free.length < KEPT && buffer.length >= this.#blockSize) this.#free.push(buffer);
  }

  /**
   * Numbers a block as the counting splitter would: its records are the record ends in it, and
   * one more for a last record without its delimiter (only the input's last block has one).
   */
  #number(block: Block, data: Buffer): void {
    const cut = this.#cut;
    if (cut.kind === 'fixed') this.#numberAs(block, Math.ceil(data.length / cut.size));
    else {
      const { found, end } = countEnds(data, cut.delimiter);
      this.#numberAs(block, found + (end < data.length ? 1 : 0));
    }
  }

  /** Gives a block of `records` records the next record numbers. */
  #numberAs(block: Block, records: number): void {
    block.firstRecord = this.#nextRecord;
    block.records = records;
    this.#nextRecord += records;
  }

  /**
   * Reads a block's bytes again from the file (a retry, once its buffer went back to be read
   * into): the same range, from a file checked unchanged since reading began, so the same bytes.
   */
  #reread(block: Block, position: number): void {
    // Still whole: not released, nor given away with its memory (a thread took it).
    let held = 0;
    for (const part of block.parts) held += part.length;
    if (held === block.bytes) return;
    const start = this.#start!;
    this.#check(start, fstatSync(this.#file.fd));
    const into = Buffer.allocUnsafeSlow(block.bytes);
    let got = 0;
    while (got < block.bytes) {
      const n = readSync(this.#file.fd, into, got, block.bytes - got, position + got);
      if (n === 0) this.#check(start, fstatSync(this.#file.fd), true);
      got += n;
    }
    block.parts = [into];
  }

  /** Just past the last record end in `data`, or 0 when none ends in it. */
  #lastEnd(data: Buffer): number {
    if (this.#cut.kind === 'fixed') return data.length - (data.length % this.#cut.size);
    const { delimiter } = this.#cut;
    const at = data.lastIndexOf(delimiter, data.length - delimiter.length);
    return at < 0 ? 0 : at + delimiter.length;
  }

  /**
   * A record larger than a block (the `searched` bytes read for it hold no record end): its end
   * found first, by reading on through the scratch buffer, then the record read whole into memory
   * of its own size. So it is in memory once, not in a buffer grown by doubling with each copy alive
   * beside the next, and a record over the size limit is refused before any memory is taken for
   * it.
   */
  async #oneRecord(
    searched: number,
    position: number,
    size: number,
    start: Stats,
  ): Promise<{ data: Buffer; cut: number }> {
    const { end, length } = await this.#recordEnd(searched, position, size, start);
    // As a stream's splitter measures a whole record: without its delimiter.
    if (length > this.#maxRecord) throw await this.#tooLarge(position, length, true);
    const data = Buffer.allocUnsafeSlow(end);
    await this.#readAll(data, end, position, start);
    return { data, cut: end };
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
    start: Stats,
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
    this.#scratch ??= Buffer.allocUnsafeSlow(PIECE);
    const scratch = this.#scratch;
    let from = Math.max(0, searched - overlap);
    for (;;) {
      if (from + overlap > this.#maxRecord) throw await this.#tooLarge(position, from + overlap);
      const n = Math.min(scratch.length, left - from);
      // No delimiter ends before the file does: the record is the input's last.
      if (n <= overlap) return { end: left, length: left };
      await this.#readAll(scratch, n, position + from, start);
      const at = scratch.subarray(0, n).indexOf(delimiter);
      if (at >= 0) return { end: from + at + delimiter.length, length: from + at };
      from += n - overlap;
    }
  }

  /** Reads `length` bytes at `position`, all of them: fewer means the file shrank. */
  async #readAll(into: Buffer, length: number, position: number, start: Stats): Promise<number> {
    let got = 0;
    while (got < length) {
      const n = await readAt(this.#file.fd, into, got, length - got, position + got);
      if (n === 0) this.#check(start, fstatSync(this.#file.fd), true);
      got += n;
    }
    return got;
  }

  #check(start: Stats, now: Stats, short = false): void {
    const error = fileChanged(this.#file.name, start, now, short);
    if (error !== null) throw error;
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
    return recordTooLarge({ input: 'input', record: records + 1 }, this.#maxRecord, size, whole);
  }
}
