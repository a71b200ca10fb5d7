import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** LMDB's page header, a node's header, its slot in the page, an overflow page's number. */
const PAGE_HEADER = 16;
const NODE_HEADER = 8;
const SLOT = 2;
const PAGE_NUMBER = 8;
/** The least reserved ahead at each check. */
const MIN_AHEAD = 1024 * 1024;
/** The pages one put may add besides its own: a leaf split and the splits up a deep tree. */
const SPLIT_PAGES = 16;

/** The pages an LMDB environment's file holds now, inside its write transaction. */
export type PagesUsed = () => number;

/** The error of a write(2) on a full disk. */
export function noSpace(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
}

/**
 * Keeps the disk blocks under the pages LMDB is about to write allocated ahead of it. In
 * write-map mode LMDB writes a page by storing into the mapped file, which is sparse: on a full
 * disk the kernel has no block for the page and kills the process with SIGBUS (no message, exit
 * 135, the build's folder left behind). A write(2) says ENOSPC instead, so the file is grown by
 * writes before LMDB gets there: each MiB is read and written back as it is (a hole reads as
 * zeros; a page LMDB wrote already is written back unchanged: it is the same page cache, and
 * nothing else writes while the build's one thread runs), so no page is ever changed.
 *
 * How far LMDB has got is asked of LMDB (its tree's pages in the transaction, exact) now and
 * then; in between, each entry's growth is estimated before it is put, as LMDB lays out pages
 * (a node is its header, key and value, even-aligned, and a slot; a value that makes it larger
 * than half a page goes on overflow pages of its own; appended nodes fill a leaf in order, put
 * ones count three times, as splits leave pages half full and add branches). LMDB is asked
 * again once the estimate has used half of the room reserved, so an estimate short by half
 * still stays inside it (measured: LMDB used at most 0.95 of what was reserved, with keys of
 * 1.9 KB put into a tree, 0.9 by design).
 */
export class PageReserve {
  readonly #file: string;
  readonly #pageSize: number;
  readonly #usable: number;
  readonly #nodeMax: number;
  readonly #fileSize: number;
  readonly #used: PagesUsed;
  #leafUsed = 0;
  /** Estimated bytes put since LMDB was last asked, and how many it may be before asking again. */
  #grown = 0;
  #budget = 0;
  #reserved = 0;

  /** @param fileSize the file's size, LMDB's map: nothing is reserved past it. */
  constructor(file: string, pageSize: number, fileSize: number, used: PagesUsed) {
    this.#file = file;
    this.#pageSize = pageSize;
    this.#usable = pageSize - PAGE_HEADER;
    this.#nodeMax = (Math.floor(this.#usable / 2) & ~1) - SLOT;
    this.#fileSize = fileSize;
    this.#used = used;
  }

  /** Counts an entry about to be put; reserves more (or throws ENOSPC) when it may not fit. */
  add(keyLength: number, valueLength: number, appended: boolean): void {
    const growth = this.#growth(keyLength, valueLength, appended);
    this.#grown += growth;
    if (this.#grown > this.#budget) this.#check(growth);
  }

  /** Reserves room for what a commit writes: the free pages' list, if any. */
  beforeCommit(): void {
    this.#check(0);
  }

  /** The bytes an entry likely adds to the file. */
  #growth(keyLength: number, valueLength: number, appended: boolean): number {
    let bytes = 0;
    let node = NODE_HEADER + keyLength + valueLength;
    if (node > this.#nodeMax) {
      node = NODE_HEADER + keyLength + PAGE_NUMBER;
      bytes += Math.ceil((PAGE_HEADER + valueLength) / this.#pageSize) * this.#pageSize;
    }
    node = ((node + 1) & ~1) + SLOT;
    if (!appended) return bytes + (3 * node * this.#pageSize) / this.#usable;
    if (this.#leafUsed === 0 || this.#leafUsed + node > this.#usable) {
      this.#leafUsed = node;
      // A new leaf, and its key in a branch (branches counted half full).
      return (
        bytes +
        this.#pageSize +
        (2 * (NODE_HEADER + keyLength + SLOT) * this.#pageSize) / this.#usable
      );
    }
    this.#leafUsed += node;
    return bytes;
  }

  /** Asks LMDB where it is, and reserves ahead of it for the entry about to be put and more. */
  #check(growth: number): void {
    const used = this.#used() * this.#pageSize;
    const needed = used + 2 * growth + SPLIT_PAGES * this.#pageSize;
    const ahead = Math.max(MIN_AHEAD, used / 8, 2 * growth);
    this.#reserve(needed, used + 2 * ahead);
    const room = Math.min(this.#reserved, this.#fileSize) - used;
    this.#grown = growth;
    this.#budget = (room - SPLIT_PAGES * this.#pageSize) / 2;
  }

  /**
   * Allocates the file's blocks up to `ahead`, or at least up to `needed`: a disk that fills
   * between the two stops only the reserving ahead. Throws ENOSPC when `needed` does not fit.
   */
  #reserve(needed: number, ahead: number): void {
    const target = Math.min(ahead, this.#fileSize);
    if (target > this.#reserved) {
      const fd = openSync(this.#file, 'r+');
      try {
        const buffer = Buffer.allocUnsafe(1024 * 1024);
        for (let at = this.#reserved; at < target; ) {
          const read = readSync(fd, buffer, 0, Math.min(buffer.length, target - at), at);
          if (read === 0) break;
          for (let written = 0; written < read; ) {
            written += writeSync(fd, buffer, written, read - written, at + written);
            this.#reserved = at + written;
          }
          at += read;
        }
      } catch (error) {
        if (this.#reserved < Math.min(needed, this.#fileSize)) throw error;
      } finally {
        closeSync(fd);
      }
    }
    if (this.#reserved < Math.min(needed, this.#fileSize)) throw noSpace();
  }
}
