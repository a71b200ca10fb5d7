import { join, resolve } from 'node:path';
import type { Database } from 'lmdb';
import { ExitCode, ManifoldError, quoteName, showBytes } from '../errors.js';
import { viewOf } from '../framing/view.js';
import { hashBytes } from '../hash.js';
import { parseJsonText } from '../json-text.js';
import { checkTableFiles } from './check-files.js';
import { loadLmdb } from './lmdb.js';
import { readTableMeta, TableError, type TableMeta } from './meta.js';

/** A key as a lookup takes it: text (as UTF-8) or bytes. */
export type TableKey = string | Uint8Array;

/**
 * A table opened read-only. Lookups are synchronous: LMDB reads the memory-mapped pages of the
 * operating system's page cache, shared by every process that maps the same table.
 */
export interface Table {
  /** The table's `table.json`. */
  readonly meta: TableMeta;
  /** The table's path, as given to `openTable`. */
  readonly path: string;
  /** The shard this process opened, when it opened one shard of a sharded table only. */
  readonly shard: number | undefined;
  /**
   * The value of a key (the first one, with duplicates `all`), or `undefined`. The Buffer is a
   * view of bytes lmdb reuses: valid until the next lookup on any table; copy it to keep it.
   */
  get(key: TableKey): Buffer | undefined;
  /** The value as UTF-8 text. */
  getString(key: TableKey): string | undefined;
  /** The value parsed as JSON; a value that is not JSON is a `TableError`. */
  getJSON(key: TableKey): unknown;
  /** Whether the key is in the table. */
  has(key: TableKey): boolean;
  /** Every value of the key, in input order (several with duplicates `all`); copies, kept. */
  getAll(key: TableKey): Buffer[];
  /**
   * The entry with the greatest key less than or equal to `key` in byte order (for range tables:
   * the range starting at or before an address), or `undefined`. It looks in every shard: the
   * nearest key below may be in any, whatever shard `key` hashes to. A table opened as one shard
   * maps the others too (read-only), the first time.
   */
  floor(key: TableKey): { key: Buffer; value: Buffer } | undefined;
  /** Closes the table's LMDB environments; the next `openTable` of its path opens it again. */
  close(): void;
}

/** How to open a table. */
export interface OpenTableOptions {
  /** Open this shard only (0-based): lookups of keys of other shards are errors. */
  shard?: number;
}

const opened = new Map<string, Table>();

/**
 * Opens a table read-only, once per process per path and shard: a second call returns the same
 * `Table`. Throws a one-line `TableError` (exit 2) for a missing path, a directory that is not a
 * table, a table of another format version, or a shard out of range.
 */
export function openTable(path: string, options: OpenTableOptions = {}): Table {
  const cacheKey = `${resolve(path)}\0${options.shard ?? ''}`;
  let table = opened.get(cacheKey);
  if (table === undefined) {
    table = new LmdbTable(path, readTableMeta(path), options.shard, () => opened.delete(cacheKey));
    opened.set(cacheKey, table);
  }
  return table;
}

/** The bytes of a lookup key; `undefined` for a key no table can hold (empty or too long). */
function keyBytes(key: TableKey, maxKeySize: number): Uint8Array | undefined {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return bytes.length === 0 || bytes.length > maxKeySize ? undefined : bytes;
}

class LmdbTable implements Table {
  readonly meta: TableMeta;
  readonly path: string;
  readonly shard: number | undefined;
  readonly #dbs: (Database<Buffer, Uint8Array> | undefined)[];
  /** Opened as one shard: the others, mapped for `floor` only (`get` still checks its shard). */
  #others: (Database<Buffer, Uint8Array> | undefined)[] | null = null;
  readonly #list: boolean;
  readonly #forget: () => void;

  constructor(path: string, meta: TableMeta, shard: number | undefined, forget: () => void) {
    this.path = path;
    this.meta = meta;
    this.#list = meta.lmdb.values === 'list';
    this.#forget = forget;
    if (shard !== undefined && !(Number.isInteger(shard) && shard >= 0 && shard < meta.shards)) {
      throw new TableError(`table ${quoteName(path)}: no shard ${shard} (it has ${meta.shards})`);
    }
    this.shard = meta.shards > 1 ? shard : undefined;
    const opens = (index: number) => this.shard === undefined || index === this.shard;
    checkTableFiles(path, meta, opens);
    this.#dbs = meta.lmdb.files.map((file, index) =>
      opens(index) ? openShard(path, file, meta) : undefined,
    );
  }

  get(key: TableKey): Buffer | undefined {
    const bytes = keyBytes(key, this.meta.lmdb.maxKeySize);
    if (bytes === undefined) return undefined;
    const found = this.#find(bytes);
    if (found === undefined) return undefined;
    // lmdb's reusable buffer has a length of its own: a plain view of the value instead.
    if (!this.#list) return viewOf(found, 0, found.length);
    return viewOf(found, 4, found.readUInt32BE(0));
  }

  getString(key: TableKey): string | undefined {
    return this.get(key)?.toString('utf8');
  }

  getJSON(key: TableKey): unknown {
    const text = this.getString(key);
    if (text === undefined) return undefined;
    try {
      return parseJsonText(text);
    } catch (error) {
      throw new TableError(
        `table ${quoteName(this.path)}: the value of key "${showBytes(typeof key === 'string' ? Buffer.from(key) : key)}" is not JSON`,
        error,
      );
    }
  }

  has(key: TableKey): boolean {
    return this.get(key) !== undefined;
  }

  getAll(key: TableKey): Buffer[] {
    const bytes = keyBytes(key, this.meta.lmdb.maxKeySize);
    if (bytes === undefined) return [];
    const found = this.#find(bytes);
    if (found === undefined) return [];
    if (!this.#list) return [Buffer.from(found.subarray(0, found.length))];
    return splitList(found.subarray(0, found.length));
  }

  floor(key: TableKey): { key: Buffer; value: Buffer } | undefined {
    const bytes = keyBytes(key, Number.MAX_SAFE_INTEGER);
    if (bytes === undefined) return undefined;
    let best: { key: Buffer; value: Buffer } | undefined;
    for (const db of this.#everyShard()) {
      try {
        for (const entry of db.getRange({ start: bytes, reverse: true, limit: 1 })) {
          const entryKey = entry.key as Buffer;
          if (best === undefined || Buffer.compare(entryKey, best.key) > 0) {
            best = { key: entryKey, value: bufferOf(entry.value)! };
          }
        }
      } catch (error) {
        throw readFault(this.path, error);
      }
    }
    if (best === undefined || !this.#list) return best;
    return { key: best.key, value: best.value.subarray(4, 4 + best.value.readUInt32BE(0)) };
  }

  close(): void {
    for (const db of [...this.#dbs, ...(this.#others ?? [])]) db?.close();
    this.#dbs.fill(undefined);
    this.#others = null;
    this.#forget();
  }

  /**
   * Every shard's database: a one-shard table's others opened the first time. (A floor in the
   * worker's shard alone was quietly wrong: the nearest key below was in another.)
   */
  #everyShard(): Database<Buffer, Uint8Array>[] {
    const { path, meta } = this;
    if (this.shard === undefined) {
      if (this.#dbs.some((db) => db === undefined))
        throw new TableError(`table ${quoteName(path)}: it was closed`);
      return this.#dbs as Database<Buffer, Uint8Array>[];
    }
    if (this.#dbs[this.shard] === undefined)
      throw new TableError(`table ${quoteName(path)}: it was closed`);
    if (this.#others === null) {
      checkTableFiles(path, meta, (index) => index !== this.shard);
      this.#others = meta.lmdb.files.map((file, index) =>
        index === this.shard ? undefined : openShard(path, file, meta),
      );
    }
    return this.#dbs.map((db, index) => (db ?? this.#others![index])!);
  }

  /** lmdb's reused buffer holding the key's value, or `undefined`. */
  #find(bytes: Uint8Array): Buffer | undefined {
    const db = this.#dbFor(bytes);
    try {
      return bufferOf(db.getBinaryFast(bytes));
    } catch (error) {
      throw readFault(this.path, error);
    }
  }

  #dbFor(key: Uint8Array): Database<Buffer, Uint8Array> {
    const shards = this.#dbs.length;
    const index = shards === 1 ? 0 : hashBytes(key) % shards;
    const db = this.#dbs[index];
    if (db !== undefined) return db;
    if (this.shard === undefined)
      throw new TableError(`table ${quoteName(this.path)}: it was closed`);
    throw new TableError(
      `table ${quoteName(this.path)}: key "${showBytes(key)}" is in shard ${index}, but this worker opened shard ${this.shard} only: dispatch with --dispatch hash on the same key bytes the table was built with (its key is ${this.meta.key})`,
    );
  }
}

/**
 * A lookup LMDB could not make (a page of the file damaged since the build: MDB_CORRUPTED), in
 * one line naming the table; exit 1, a failure while running, as a record's error is.
 */
function readFault(path: string, error: unknown): ManifoldError {
  const reason = (error as Error).message.split('\n')[0];
  return new ManifoldError(
    'manifold.table',
    `table ${quoteName(path)}: cannot read it: ${reason} (damaged: rebuild it)`,
    {
      exitCode: ExitCode.failure,
      cause: error,
    },
  );
}

/**
 * A value lmdb gave, as a Buffer: past its reused buffer (a value over 16 MiB, a list of
 * duplicates `all` so long) lmdb gives a plain Uint8Array, which has no `readUInt32BE`.
 */
function bufferOf(value: Uint8Array | undefined): Buffer | undefined {
  if (value === undefined || Buffer.isBuffer(value)) return value;
  return viewOf(value, 0, value.length);
}

/** The entries of a `list` value (duplicates `all`), copied. */
export function splitList(value: Buffer): Buffer[] {
  const values: Buffer[] = [];
  for (let at = 0; at + 4 <= value.length; ) {
    const length = value.readUInt32BE(at);
    values.push(Buffer.from(value.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return values;
}

/** The LMDB options every reader of a table uses; the build uses the same layout. */
function openShard(path: string, file: string, meta: TableMeta): Database<Buffer, Uint8Array> {
  const { open } = loadLmdb();
  try {
    return open<Buffer, Uint8Array>({
      path: join(path, file),
      noSubdir: true,
      readOnly: true,
      keyEncoding: 'binary',
      encoding: 'binary',
      maxReaders: meta.lmdb.maxReaders,
      cache: false,
      compression: false,
      overlappingSync: false,
    });
  } catch (error) {
    throw new TableError(
      `table ${quoteName(path)}: cannot open ${file}: ${(error as Error).message.split('\n')[0]}`,
      error,
    );
  }
}
