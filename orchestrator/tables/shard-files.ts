import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, statfsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { writeFailure } from './place.js';
import { noSpace } from './reserve.js';

/** The room a shard needs before LMDB makes its file: its meta pages, with a margin. */
const MIN_FREE = 64 * 1024;
/**
 * Free space past which no other process can fill the disk between a look at it and LMDB's
 * first write, a few microseconds later (it would have to write at terabytes a second).
 */
const PLENTY = 64 * 1024 * 1024;
/** A reader's slot in LMDB's lock file: one cache line. */
const READER_SLOT = 64;
/** LMDB's meta pages, at the start of its file. */
const META_PAGES = 2;

/**
 * Makes a shard's two files before LMDB opens them, with every block they are first written in
 * allocated by write(2), which says ENOSPC, where LMDB's own first writes cannot say it: in a
 * hole of its memory-mapped lock file they are a SIGBUS, and a failed pwrite(2) of its meta
 * pages is a SIGSEGV in lmdb 3.5 (a double free in its error path). Both happened to builds
 * whose disk another process filled as shards were made.
 *
 * The build's first shard is made by LMDB, after a look at the free space: with plenty, in
 * this process; with less, in a child process, whose crash is then the disk filled in the
 * instant between the look and LMDB's write (Node has no fallocate(2) to give the meta pages
 * room beforehand). Its meta pages, read before anything is written, are the `template` each
 * later shard's file starts with, written by write(2): LMDB opens an empty environment.
 */
export class ShardFiles {
  #template: Buffer | null = null;

  constructor(readonly target: string) {}

  /** Makes the lock file and, from the template if there is one yet, the data file. */
  make(file: string, maxReaders: number): void {
    try {
      makeLockFile(file, maxReaders);
      if (this.#template !== null) writeFileSync(file, this.#template, { flag: 'wx' });
    } catch (error) {
      throw writeFailure(this.target, error);
    }
    if (this.#template !== null) return;
    const free = freeSpace(file);
    if (free < MIN_FREE) throw writeFailure(this.target, noSpace());
    if (free < PLENTY) this.#makeApart(file, maxReaders);
  }

  /** LMDB makes the shard's empty environment in a child process, where a crash is a message. */
  #makeApart(file: string, maxReaders: number): void {
    const lmdb = JSON.stringify(createRequire(import.meta.url).resolve('lmdb'));
    const options = { path: file, noSubdir: true, maxReaders, useWritemap: true, noSync: true };
    const open = `try { require(${lmdb}).open(${JSON.stringify(options)}).close() } catch (error) { process.stderr.write(error.message); process.exitCode = 1 }`;
    const child = spawnSync(process.execPath, ['-e', open], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (child.status === 0) return;
    if (freeSpace(file) < MIN_FREE) throw writeFailure(this.target, noSpace());
    const reason = child.error?.message ?? (child.signal || child.stderr.toString().split('\n')[0]);
    throw writeFailure(this.target, new Error(`lmdb could not make ${file}: ${reason}`));
  }

  /** Keeps the meta pages of a shard LMDB has just made, empty (no transaction committed). */
  keepTemplate(file: string, pageSize: number, stats: { lastTxnId: number }): void {
    if (this.#template !== null || stats.lastTxnId !== 0) return;
    const fd = openSync(file, 'r');
    try {
      const pages = Buffer.alloc(META_PAGES * pageSize);
      if (readSync(fd, pages, 0, pages.length, 0) === pages.length) this.#template = pages;
    } finally {
      closeSync(fd);
    }
  }
}

function freeSpace(file: string): number {
  const { bavail, bsize } = statfsSync(dirname(file));
  return bavail * bsize;
}

/**
 * LMDB writes the lock file through a memory map: its header when it makes it, each reader's
 * slot as readers come (~60 to a page), so a hole on a full disk is a SIGBUS in the build or in
 * the 62nd reader at once. LMDB keeps a lock file at least as large as it needs as it is (it
 * only ever grows one) and takes its size as the slots' count: room for `maxReaders` slots and
 * the header, a page more.
 */
function makeLockFile(file: string, maxReaders: number): void {
  writeFileSync(`${file}-lock`, Buffer.alloc(maxReaders * READER_SLOT + 4096));
}
