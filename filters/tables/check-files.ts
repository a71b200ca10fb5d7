import { closeSync, lstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { errnoText, quoteName } from '../errors.js';
import { readTableMeta, TableError, type TableMeta } from './meta.js';

/** What a table's files were found to be, when not what its build left. */
const DAMAGED = 'damaged or changed since it was built (rebuild it)';

/**
 * A table's description, its shard files checked (`checkTableFiles`): what a fan checks of each
 * table before any worker starts, so that a table a worker could not open is one line then.
 */
export function checkTable(path: string): TableMeta {
  const meta = readTableMeta(path);
  checkTableFiles(path, meta);
  return meta;
}

/**
 * Checks a table's shard files before LMDB maps them, in one line naming the table and the file:
 * each is there, a file, readable, of the sizes its build wrote, and LMDB's (`opens`: the shards
 * whose first page is read; every one by default). LMDB's own words for these were `No such
 * file or directory: Attempting to open main database file`, and LMDB kills the reader of a
 * file cut short (SIGBUS on a page cut off, SIGSEGV in lmdb 3.5 on a file it refuses).
 */
export function checkTableFiles(
  path: string,
  meta: TableMeta,
  opens: (shard: number) => boolean = () => true,
): void {
  let size = 0;
  for (const file of meta.lmdb.files) size += shardStat(path, file).size;
  if (typeof meta.bytes === 'number' && size !== meta.bytes) {
    throw new TableError(
      `table ${quoteName(path)}: its files are ${size} bytes, table.json says ${meta.bytes}: ${DAMAGED}`,
    );
  }
  meta.lmdb.files.forEach((file, shard) => {
    if (!opens(shard)) return;
    checkLmdbFile(path, file);
    checkLockFile(path, `${file}-lock`);
  });
}

/**
 * Refuses a lock file LMDB could neither use nor make (a folder, a pipe, a link to nothing at its
 * name), which lmdb 3.5 answers with SIGSEGV, as any open that LMDB fails. One it may not write,
 * or none on a read-only file system, is fine: a read-only open then goes without it.
 */
function checkLockFile(path: string, lock: string): void {
  let stat: Stats;
  try {
    stat = statSync(join(path, lock));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return;
    try {
      lstatSync(join(path, lock));
    } catch {
      return; // None: LMDB makes it (or goes without it where it cannot).
    }
    throw new TableError(
      `table ${quoteName(path)}: ${lock} is a link to nothing: ${REMOVE_LOCK}`,
      error,
    );
  }
  if (!stat.isFile())
    throw new TableError(`table ${quoteName(path)}: ${lock} is not a file: ${REMOVE_LOCK}`);
}

/** What to do with a lock file that is not one: readers make it again. */
const REMOVE_LOCK = 'remove it (the next reader makes it again)';

/** A shard file's stat, or the one line that says why it is not one. */
function shardStat(path: string, file: string): Stats {
  let stat: Stats;
  try {
    stat = statSync(join(path, file));
  } catch (error) {
    throw fileError(path, file, error);
  }
  if (!stat.isFile())
    throw new TableError(`table ${quoteName(path)}: ${file} is not a file: ${DAMAGED}`);
  return stat;
}

function fileError(path: string, file: string, error: unknown): TableError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new TableError(`table ${quoteName(path)}: ${file} is missing: ${DAMAGED}`, error);
  const reason = code === undefined ? (error as Error).message : errnoText(code);
  return new TableError(`table ${quoteName(path)}: cannot read ${file}: ${reason}`, error);
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
function checkLmdbFile(path: string, file: string): void {
  const head = Buffer.alloc(MAGIC_AT + 8);
  let read = 0;
  try {
    const fd = openSync(join(path, file), 'r');
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw fileError(path, file, error);
  }
  const isLmdb =
    read === head.length &&
    (head.readUInt16LE(META_FLAGS_AT) & P_META) !== 0 &&
    head.readUInt32LE(MAGIC_AT) === MDB_MAGIC &&
    (head.readUInt32LE(MAGIC_AT + 4) & 0xffff) === DATA_VERSION;
  if (!isLmdb)
    throw new TableError(`table ${quoteName(path)}: ${file} is not an LMDB file: ${DAMAGED}`);
}
