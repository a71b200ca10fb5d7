import { readSync } from 'node:fs';
import { ExitCode, ManifoldError } from '../../filters/index.js';
import type { Block } from '../workers/block.js';
import { giftableBuffer } from '../workers/gift.js';
import type { RangeCut } from './range-cut.js';
import { countEnds, type RangeFile } from './range-file.js';
import { RangeNumbers } from './range-numbers.js';
import { RangeScan } from './range-scan.js';
import { RecordMeasure } from './record-measure.js';

/** How a RangeReader cuts beyond its cut: record numbers, and block sizes that change. */
export interface RangeOptions {
  /** Count each block's records as it is read (one search per record end, nothing else). */
  numbered?: boolean;
  /**
   * The size of the block after the one just cut, `done` bytes of the file's range taken by the
   * blocks so far (per-block workers' blocks grow; a negative --block plans where they end).
   */
  next?: (done: number) => number;
  /** Read into giftable buffers (workers/gift.ts): threads take a block's memory, not a copy. */
  gift?: boolean;
  /**
   * Leave the blocks' bytes in the file (`Block.source`): the process starter sends them into
   * the workers' pipes, or they are read a piece at a time as the pipes take them. Numbered for
   * attributed workers, only for one byte or records of one size; for workers that stay and
   * need no numbers, any cut (`rangesStreamed`). A record larger than a block is still held.
   */
  streamed?: boolean;
  /** Hears a failed read of a block left in the file: the run fails for it. */
  failed?: (error: unknown) => void;
  /** --max-record as messages spell it (a config's `max-record`). */
  maxRecordName?: string;
}

/** Block buffers kept for reuse: those in flight to two workers and two waiting, and spare. */
const KEPT = 8;

/**
 * Reads a regular file as blocks of byte ranges: each block is one read (`pread`, in libuv's
 * thread pool) of up to a block's bytes at its offset, cut at the last record end in it, found
 * by one search from the end; the next block is read from that cut. No byte is scanned on the
 * way, and no record counted (`records` -1; a message counts them then: `#numbers`) unless the
 * blocks are `numbered`: then their record ends are counted, one search each. A block's
 * buffer is read into again once it is released (`Block.release`: a transport has taken it);
 * a released block read again (`Block.reread`, a retry) is read from the file anew. Blocks left
 * in the file (`streamed`) are not held at all: a numbered range is scanned a piece at a time
 * through one buffer, an unnumbered one read back from its end only, and the block is left in
 * the file for the worker's pipe to take (`Block.source`). The file's size and modification
 * time are taken at the start and checked at the end and with every read (range-scan.ts): a file
 * that grew, shrank or was rewritten while read is an error naming it, not silent loss.
 */
export class RangeReader {
  readonly #file: RangeFile;
  readonly #cut: RangeCut;
  #blockSize: number;
  readonly #options: RangeOptions;
  readonly #scan: RangeScan;
  readonly #free: Buffer[] = [];
  #nextRecord = 1;
  readonly #maxRecord: number;
  /**
   * Blocks larger than --max-record (a `--block` given above it) have their records measured
   * against it (records ended by one byte); those no larger cannot hold a record over it.
   */
  readonly #measure: RecordMeasure | null;
  /** Where blocks are not `numbered`, their numbers worked out when a message needs them. */
  readonly #numbers: RangeNumbers | null;

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
    this.#options = options;
    this.#scan = new RangeScan(file, cut, maxRecord, options.maxRecordName);
    this.#maxRecord = maxRecord;
    this.#numbers = options.numbered ? null : new RangeNumbers(file, cut);
    this.#measure =
      cut.kind === 'delimiter' && cut.delimiter.length === 1
        ? new RecordMeasure(cut.delimiter[0]!, maxRecord)
        : null;
  }

  /** The blocks, in order; `wait` before each read; `closed` ends reading early. */
  async *blocks(wait: () => Promise<void>, closed: () => boolean): AsyncGenerator<Block> {
    const size = this.#scan.begin();
    let position = this.#file.start;
    let seq = 0;
    while (position < size) {
      await wait();
      if (closed()) return;
      const block =
        (this.#options.streamed === true && (await this.#leftInFile(position, seq, size))) ||
        (await this.#held(position, seq, size));
      seq++;
      this.#numbers?.later(block, position + block.bytes === size);
      position += block.bytes;
      if (this.#options.next !== undefined)
        this.#blockSize = this.#options.next(position - this.#file.start);
      yield block;
    }
    this.#scan.check();
  }

  /** A block read into memory: one read of up to a block's bytes, cut at its last record end. */
  async #held(position: number, seq: number, size: number): Promise<Block> {
    const buffer = this.#buffer();
    const length = Math.min(this.#blockSize, size - position);
    const got = await this.#scan.readAll(buffer, length, position);
    let data = buffer.subarray(0, got);
    // The counting splitter's rule: the rest is one block when it fits in one (a last record
    // without its delimiter ends there: it fits as any record does).
    const atEnd = position + got === size;
    let cut = atEnd ? got : this.#scan.lastEnd(data);
    if (cut <= 0) {
      data = await this.#scan.oneRecord(data.length, position, size);
      cut = data.length;
      this.#give(buffer);
    }
    const parts = [data.subarray(0, cut)];
    const measure = this.#measure;
    if (measure !== null && cut > this.#maxRecord) {
      measure.start();
      await this.#scan.measured(measure.push(parts[0]!), position);
    }
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
  async #leftInFile(position: number, seq: number, size: number): Promise<Block | null> {
    const cut = this.#cut;
    const length = Math.min(this.#blockSize, size - position);
    let found = 0;
    let lastEnd = 0;
    const measure = length > this.#maxRecord ? this.#measure : null;
    if (cut.kind === 'fixed') {
      lastEnd = length - (length % cut.size);
      found = lastEnd / cut.size;
    } else if (!this.#options.numbered && measure === null) {
      lastEnd = await this.#scan.lastEndNear(position, length);
    } else {
      // Numbered (any delimiter where only the runs' reports need the numbers, one byte for
      // attributed workers: `rangesStreamed`), or measured: read whole, a piece at a time.
      ({ found, lastEnd } = await this.#scan.countRange(
        position,
        length,
        cut.delimiter,
        measure ?? undefined,
      ));
    }
    // The rule of blocks held: the rest is one block when it fits in one.
    const atEnd = position + length === size;
    const bytes = atEnd ? length : lastEnd;
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
        failed: (reason, usage) => this.#cannotSend(position, bytes, reason, usage === true),
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
    try {
      if (at === 0) this.#scan.check();
      await this.#scan.readAll(into, length, position + at);
    } catch (error) {
      this.#options.failed?.(error);
      throw error;
    }
  }

  /** Fails the run for a block the process starter could not send into a worker's pipe. */
  #cannotSend(position: number, bytes: number, reason: string, usage: boolean): void {
    const range = `bytes ${position + 1}-${position + bytes}`;
    const message = `cannot send ${range} of ${this.#file.name} into a worker's pipe: ${reason}`;
    // Out of processes or descriptors: the system refused, as when it refuses a worker's start.
    const exitCode = usage ? ExitCode.usage : ExitCode.failure;
    this.#options.failed?.(new ManifoldError('manifold.io', message, { exitCode }));
  }

  /** Whether the file is as reading began; when not, the run is failed for it. */
  #unchanged(short: boolean): boolean {
    try {
      this.#scan.check(short);
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
    const held = block.parts.reduce((sum, part) => sum + part.length, 0);
    if (held === block.bytes) return;
    this.#scan.check();
    const into = Buffer.allocUnsafeSlow(block.bytes);
    let got = 0;
    while (got < block.bytes) {
      const n = readSync(this.#file.fd, into, got, block.bytes - got, position + got);
      if (n === 0) this.#scan.check(true);
      got += n;
    }
    block.parts = [into];
  }
}
