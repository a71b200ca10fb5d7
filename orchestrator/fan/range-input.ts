import { fstatSync, read, readSync, type Stats } from 'node:fs';
import {
  ExitCode,
  type Framing,
  formatSize,
  ManifoldError,
  RecordError,
} from '../../filters/index.js';
import type { Block } from '../workers/block.js';
import { giftableBuffer } from '../workers/gift.js';
import type { FanOptions } from './options.js';

/** How a block's end is found by looking near it only: a delimiter, or records of one size. */
export type RangeCut = { kind: 'delimiter'; delimiter: Buffer } | { kind: 'fixed'; size: number };

/**
 * The cut of a framing whose record ends can be found from a block's end alone, or null: a
 * delimiter that can overlap itself (`aa`: is `aaa` a record `a` or `` then `a`?) must be
 * searched from the front, and a frame's end is known only by walking every frame before it.
 */
export function rangeCut(framing: Framing): RangeCut | null {
  if (framing.kind === 'fixed') return { kind: 'fixed', size: framing.size };
  if (framing.kind !== 'delimited') return null;
  const d = framing.delimiter;
  for (let shift = 1; shift < d.length; shift++) {
    if (d.subarray(0, d.length - shift).equals(d.subarray(shift))) return null;
  }
  return { kind: 'delimiter', delimiter: d };
}

/** An input that is one regular file, opened. */
export interface RangeFile {
  fd: number;
  /** Its name for messages: the --input given, or `stdin`. */
  name: string;
  /** Where reading starts: 0, or where stdin's offset was left by whoever ran manifold. */
  start: number;
  /** Opened by manifold (an --input), so closed by it at the end. */
  owned: boolean;
}

/**
 * The cut for reading a fan's input as ranges, or null when it must be read and scanned as a
 * stream. Whole blocks go to one worker each (ready or round-robin dispatch). Numbers come
 * later or not at all: no --header, --joblog, --stats or --progress, and no record counts asked
 * by a pipeline or the library (`countOutput`). Attributed workers (threads, per-block
 * processes, --one-to-one, --protocol) qualify too: their blocks' records are counted as the
 * ranges are read (`numbered`), as those workers are told them before they start.
 */
export function rangesFor(options: FanOptions): RangeCut | null {
  const { dispatch, header, joblog, stats, progress, countOutput } = options;
  if (dispatch !== 'ready' && dispatch !== 'round-robin') return null;
  if (options.attribution !== 'none' && !localKind(options)) return null;
  if (header || joblog || stats !== null || progress || countOutput) return null;
  // A record is measured only where it spans a block's end: one over --max-record but within a
  // block would pass unseen, so a limit below the block size is checked record by record.
  if (options.maxRecord < options.blockSize) return null;
  return rangeCut(options.framing);
}

/**
 * Whether a fan's ranges must carry record numbers: attributed workers are told where their
 * block starts (a thread's or a --protocol filter's `context.recordNumber` and its messages,
 * a per-block process's MANIFOLD_FIRST_RECORD) or count its records out (--one-to-one).
 */
export function rangesNumbered(options: FanOptions): boolean {
  return options.attribution !== 'none';
}

/**
 * Whether attributed workers of this kind may take ranges: local processes and threads, which
 * take a block's bytes as they are sent. Others (ssh, a queue) keep theirs the stream's way.
 */
function localKind(options: FanOptions): boolean {
  const { kind } = options;
  return kind === undefined || kind === 'process' || kind === 'thread';
}

/** How a RangeReader cuts beyond its cut: record numbers, and block sizes that change. */
export interface RangeOptions {
  /** Count each block's records as it is read (one search per record end, nothing else). */
  numbered?: boolean;
  /** The size of the block after the one just cut (per-block workers' blocks grow). */
  next?: () => number;
  /** Read into giftable buffers (workers/gift.ts): threads take a block's memory, not a copy. */
  gift?: boolean;
}

/** Block buffers kept for reuse: those in flight to two workers and two waiting, and spare. */
const KEPT = 8;

/**
 * Reads a regular file as blocks of byte ranges: each block is one read (`pread`, in libuv's
 * thread pool) of up to a block's bytes at its offset, cut at the last record end in it, found
 * by one search from the end; the next block is read from that cut. No byte is scanned on the
 * way, and no record counted (`records` -1; messages name a block by its bytes) unless the
 * blocks are `numbered`: then their record ends are counted, one search each. A block's
 * buffer is read into again once it is released (`Block.release`: a transport has taken it);
 * a released block read again (`Block.reread`, a retry) is read from the file anew.
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
    const base = this.#file.start;
    let position = base;
    let seq = 0;
    while (position < size) {
      await wait();
      if (closed()) return;
      const buffer = this.#buffer();
      const length = Math.min(this.#blockSize, size - position);
      const got = await this.#readAll(buffer, length, position, start);
      let data = buffer.subarray(0, got);
      // The counting splitter's rule: the rest is one block if it is smaller than a block.
      const atEnd = position + got === size;
      let cut = atEnd && got < this.#blockSize ? got : this.#lastEnd(data);
      if (cut <= 0 && atEnd) cut = got;
      if (cut <= 0) ({ data, cut } = await this.#oneRecord(data, position, size, start));
      const parts = [data.subarray(0, cut)];
      const block: Block = {
        seq: seq++,
        parts,
        bytes: cut,
        firstRecord: 0,
        records: -1,
        offset: position - base,
        failures: 0,
      };
      if (this.#options.numbered) this.#number(block, parts[0]!);
      if (data.buffer === buffer.buffer) {
        const at = position;
        // Once, and the block forgets its bytes: a retry reads them again (`reread`).
        block.release = () => {
          block.release = undefined;
          block.parts = [];
          this.#give(buffer);
        };
        block.reread = () => this.#reread(block, at);
      }
      position += cut;
      if (this.#options.next !== undefined) this.#blockSize = this.#options.next();
      yield block;
    }
    this.#check(start, fstatSync(this.#file.fd));
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
    let records: number;
    if (cut.kind === 'fixed') records = Math.ceil(data.length / cut.size);
    else {
      const { found, end } = count(data, cut.delimiter);
      records = found + (end < data.length ? 1 : 0);
    }
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

  /** A record larger than a block: read on until it ends (a block of its own) or is too large. */
  async #oneRecord(
    first: Buffer,
    position: number,
    size: number,
    start: Stats,
  ): Promise<{ data: Buffer; cut: number }> {
    let data = first;
    for (;;) {
      const more = Math.min(data.length, size - position - data.length);
      const grown = Buffer.allocUnsafeSlow(data.length + more);
      data.copy(grown);
      const got = await this.#readAll(
        grown.subarray(data.length),
        more,
        position + data.length,
        start,
      );
      const searched = data.length;
      data = grown.subarray(0, searched + got);
      const end = this.#firstEndAfter(data, searched);
      if (end > 0) return { data, cut: end };
      if (position + data.length === size) return { data, cut: data.length };
      if (data.length > this.#maxRecord) throw await this.#tooLarge(position, data.length);
    }
  }

  /** Just past the first record end in `data` that ends after `searched`, or 0. */
  #firstEndAfter(data: Buffer, searched: number): number {
    if (this.#cut.kind === 'fixed') return this.#cut.size <= data.length ? this.#cut.size : 0;
    const { delimiter } = this.#cut;
    const at = data.indexOf(delimiter, Math.max(0, searched - delimiter.length + 1));
    return at < 0 ? 0 : at + delimiter.length;
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
  async #tooLarge(position: number, size: number): Promise<RecordError> {
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
        const { found, end } = count(buffer.subarray(0, n), cut.delimiter);
        records += found;
        if (at + n >= position) break;
        at += found > 0 ? end : Math.max(1, n - cut.delimiter.length + 1);
      }
    }
    return new RecordError(
      { input: 'input', record: records + 1 },
      `record is larger than the maximum record size ${formatSize(this.#maxRecord)} (${formatSize(size)} so far); raise it with --max-record`,
      { code: 'manifold.recordTooLarge' },
    );
  }
}

/**
 * The error for a file read while it changed, or null: its size or modification time differ
 * from the start's, or (`short`) it ended before its size. Blocks read from it would not be
 * the file, so the run fails rather than lose or invent records quietly.
 */
export function fileChanged(
  name: string,
  start: Stats,
  now: Stats,
  short = false,
): ManifoldError | null {
  if (!short && now.size === start.size && now.mtimeMs === start.mtimeMs) return null;
  const how =
    now.size > start.size ? 'grew' : now.size < start.size || short ? 'shrank' : 'was rewritten';
  return new ManifoldError(
    'manifold.io',
    `the input file ${name} ${how} while it was read (${start.size} bytes at the start, ${now.size} now): its blocks would not be the file`,
    { exitCode: ExitCode.failure },
  );
}

/** The delimiters in `data`, and the end of the last. */
function count(data: Buffer, delimiter: Buffer): { found: number; end: number } {
  let found = 0;
  let end = 0;
  if (delimiter.length === 1) {
    // A byte is searched for as a number: Buffer's search for a Buffer costs twice as much.
    const byte = delimiter[0]!;
    for (let at = data.indexOf(byte); at >= 0; at = data.indexOf(byte, end)) {
      found++;
      end = at + 1;
    }
    return { found, end };
  }
  for (let at = data.indexOf(delimiter); at >= 0; at = data.indexOf(delimiter, end)) {
    found++;
    end = at + delimiter.length;
  }
  return { found, end };
}

function readAt(fd: number, into: Buffer, offset: number, length: number, position: number) {
  return new Promise<number>((resolve, reject) =>
    read(fd, into, offset, length, position, (error, n) => (error ? reject(error) : resolve(n))),
  );
}
