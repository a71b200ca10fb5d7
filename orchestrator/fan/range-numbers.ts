import { fstatSync, readSync } from 'node:fs';
import type { Block } from '../workers/block.js';
import type { RangeCut } from './range-cut.js';
import { countEnds, type RangeFile } from './range-file.js';

/** The records of a block, numbered from 1 in the input. */
export interface Numbered {
  firstRecord: number;
  records: number;
}

/** How much of the file is read at a time to count its records. */
const PIECE = 1024 * 1024;

/**
 * Record numbers of a file's ranges worked out when a message needs them, not as the ranges
 * are cut: blocks of a run that counts nothing name their records in a message all the same
 * (`Block.numbering`). The file is read again from its start (or from the last place counted
 * before), a piece at a time, synchronously: a message is made at once. Every range starts and
 * ends at record ends (the last may end the file without its delimiter), so the records before
 * a range are the record ends before it.
 */
export class RangeNumbers {
  readonly #file: RangeFile;
  readonly #cut: RangeCut;
  /** Places counted up to, each with the record ends before it. */
  readonly #known: { at: number; ends: number }[] = [{ at: 0, ends: 0 }];
  #buffer: Buffer | null = null;
  /** The file's device and inode: a descriptor closed and used again is not read. */
  readonly #identity: string;
  readonly #piece: number;

  /** `piece`: how much is read at a time (tests make it small, to cut delimiters). */
  constructor(file: RangeFile, cut: RangeCut, piece = PIECE) {
    this.#file = file;
    this.#cut = cut;
    this.#piece = piece;
    this.#identity = identity(file.fd);
  }

  /** Lets a block not numbered as it was cut (`records` -1) be numbered for a message. */
  later(block: Block, last: boolean): void {
    if (block.records >= 0 || block.offset === undefined) return;
    const { offset, bytes } = block;
    block.numbering = () => this.numbers(offset, bytes, last);
  }

  /**
   * The numbers of the range of `bytes` bytes at `offset` (from the file's start as read),
   * `last` when it ends the input; null when the file cannot be read now.
   */
  numbers(offset: number, bytes: number, last: boolean): Numbered | null {
    try {
      if (identity(this.#file.fd) !== this.#identity) return null;
      const before = this.#endsBefore(offset);
      const ends = this.#endsBefore(offset + bytes);
      // A last record without its delimiter ends the input's last block.
      const open = last && !this.#endsAtEnd(offset + bytes) ? 1 : 0;
      return { firstRecord: before + 1, records: ends - before + open };
    } catch {
      return null;
    }
  }

  /** The record ends in the file's first `offset` bytes. */
  #endsBefore(offset: number): number {
    const cut = this.#cut;
    if (cut.kind === 'fixed') return Math.floor(offset / cut.size);
    let from = this.#known[0]!;
    for (const place of this.#known) if (place.at <= offset && place.at > from.at) from = place;
    if (from.at === offset) return from.ends;
    const { delimiter } = cut;
    const overlap = delimiter.length - 1;
    if (this.#buffer === null) this.#buffer = Buffer.allocUnsafe(this.#piece);
    const buffer = this.#buffer;
    let ends = from.ends;
    for (let at = from.at; at < offset; ) {
      // The bytes before a piece, a delimiter's length less one, so one cut by it is found whole.
      const back = Math.min(overlap, at - from.at);
      const n = Math.min(buffer.length - back, offset - at);
      const got = this.#read(buffer, back + n, at - back);
      ends += countEnds(buffer.subarray(0, got), delimiter).found;
      at += n;
    }
    this.#known.push({ at: offset, ends });
    return ends;
  }

  /** Whether the input's `end`-th byte ends a record (its delimiter's last byte). */
  #endsAtEnd(end: number): boolean {
    const cut = this.#cut;
    if (cut.kind === 'fixed') return end % cut.size === 0;
    const { delimiter } = cut;
    if (end < delimiter.length) return false;
    const tail = Buffer.allocUnsafe(delimiter.length);
    return this.#read(tail, delimiter.length, end - delimiter.length) === delimiter.length
      ? tail.equals(delimiter)
      : false;
  }

  /** Reads `length` bytes at `offset` from the file's start as read; fewer at its end. */
  #read(into: Buffer, length: number, offset: number): number {
    let got = 0;
    while (got < length) {
      const n = readSync(this.#file.fd, into, got, length - got, this.#file.start + offset + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }
}

/** The device and inode of the file open at `fd`. */
function identity(fd: number): string {
  const { dev, ino } = fstatSync(fd);
  return `${dev}:${ino}`;
}
