import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TableError, type TableMeta } from './meta.js';

/**
 * The shard files' sizes against the build's sum: LMDB maps a file as it is, and a page cut
 * off (a copy stopped short, a full disk) kills the reader with SIGBUS or SIGSEGV on first
 * touch, not an error. A stat per shard is cheap next to opening it.
 */
export function checkSize(path: string, meta: TableMeta): void {
  if (typeof meta.bytes !== 'number') return;
  let size = 0;
  for (const file of meta.lmdb.files) {
    try {
      size += statSync(join(path, file)).size;
    } catch {
      return; // A missing file: its open says so.
    }
  }
  if (size !== meta.bytes) {
    throw new TableError(
      `table ${path}: its files are ${size} bytes, table.json says ${meta.bytes}: damaged or changed since it was built (rebuild it)`,
    );
  }
}

/** Where LMDB's first meta page has its flags, magic and version (lmdb 3.5, little-endian). */
const META_FLAGS_AT = 18;
const P_META = 0x08;
const MAGIC_AT = 24;
const MDB_MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;

/**
 * Refuses a shard file that does not start with LMDB's meta page, in one line: lmdb 3.5 dies
 * of SIGSEGV on any file LMDB refuses to open (a double free in its error path), so a file of
 * the right size but other bytes (zeros, another file saved over it) is checked before.
 */
export function checkLmdbFile(path: string, file: string): void {
  const head = Buffer.alloc(MAGIC_AT + 8);
  let read = 0;
  try {
    const fd = openSync(join(path, file), 'r');
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return; // A file that cannot be read: its open says why.
  }
  const isLmdb =
    read === head.length &&
    (head.readUInt16LE(META_FLAGS_AT) & P_META) !== 0 &&
    head.readUInt32LE(MAGIC_AT) === MDB_MAGIC &&
    (head.readUInt32LE(MAGIC_AT + 4) & 0xffff) === DATA_VERSION;
  if (!isLmdb) {
    throw new TableError(
      `table ${path}: ${file} is not an LMDB file: damaged or changed since it was built (rebuild it)`,
    );
  }
}
