import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeErrno, ExitCode, ManifoldError, quoteName } from '../errors.js';
import { parseKeySpec } from '../keys.js';

/** The format name in every table's `table.json`. */
export const TABLE_FORMAT = 'manifold-table';
/** The format version this manifold writes and reads. */
export const TABLE_VERSION = 1;
/** The name of the description file inside a table directory. */
export const META_FILE = 'table.json';

/** What `--duplicates` may do with a key seen more than once: the build's choices, a table's. */
export const DUPLICATES_POLICIES = ['error', 'first', 'last', 'all'] as const;
/** What `--duplicates` did with a key seen more than once. */
export type DuplicatesPolicy = (typeof DUPLICATES_POLICIES)[number];

/**
 * A table's description, written as `table.json` in the table directory. Everything a reader in
 * any language needs to open the LMDB files and to read their values is here.
 */
export interface TableMeta {
  /** Always `manifold-table`. */
  format: typeof TABLE_FORMAT;
  /** The format version, {@link TABLE_VERSION}. */
  version: number;
  /** The key spec the table was built with: `field:N`, `json:<path>` or `whole`. */
  key: string;
  /** The `--field-sep` of the build, as given; `null` splits fields on runs of blanks. */
  fieldSeparator: string | null;
  /** The input framing of the build (`lines`, `ndjson`, `delim:...`, ...). */
  split: string;
  /** What each key maps to: `whole` (the record), `field:N` or `json:<path>`. */
  value: string;
  /** The `--duplicates` policy. With `all`, values are lists (see `lmdb.values`). */
  duplicates: DuplicatesPolicy;
  /** How many shards: keys go to shard `hashBytes(key) % shards` (FNV-1a, as `--dispatch hash`). */
  shards: number;
  /** Records read. */
  records: number;
  /** Distinct keys stored. */
  keys: number;
  /** Records whose key had been seen before. */
  duplicatesSeen: number;
  /** Bytes of the LMDB files. */
  bytes: number;
  /** When the build finished, ISO 8601. */
  builtAt: string;
  /** The inputs read, in order (`-` for stdin). */
  inputs: string[];
  /** How the LMDB files are laid out and opened. */
  lmdb: {
    /** One LMDB environment per shard, a single file each (MDB_NOSUBDIR), in shard order. */
    files: string[];
    /** Keys and values are raw bytes, in LMDB's default byte order. */
    encoding: 'binary';
    /**
     * `raw`: a value is the bytes of one record part. `list`: (duplicates `all`) a value is a
     * sequence of entries, each a 4-byte big-endian length and that many bytes, in input order.
     */
    values: 'raw' | 'list';
    /** The reader slots of each environment's lock file. */
    maxReaders: number;
    /** The largest key, in bytes. */
    maxKeySize: number;
  };
}

/** A table problem a user can fix: the path, the format, how it is used. Exit status 2. */
export class TableError extends ManifoldError {
  constructor(message: string, cause?: unknown) {
    super('manifold.table', message, { exitCode: ExitCode.usage, cause });
    this.name = 'TableError';
  }
}

/** The file name of shard `index`. */
export function shardFile(index: number): string {
  return `shard-${index}.mdb`;
}

/** Reads and checks a table's `table.json`; throws a one-line `TableError` when it is not one. */
export function readTableMeta(path: string): TableMeta {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    // Something there that cannot be reached (a loop of links, a folder not searchable) is
    // said in words, not as nothing: `ln -s loop loop` was `no such table`.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new TableError(`table ${quoteName(path)}: ${describeErrno(error)}`, error);
    throw new TableError(`table ${quoteName(path)}: no such table (nothing at that path)`, error);
  }
  if (!isDirectory) throw new TableError(`table ${quoteName(path)}: not a table (not a directory)`);
  let text: string;
  try {
    text = readFileSync(join(path, META_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new TableError(
        `table ${quoteName(path)}: cannot read ${META_FILE}: ${describeErrno(error)}`,
        error,
      );
    }
    throw new TableError(`table ${quoteName(path)}: not a table (no ${META_FILE})`, error);
  }
  let meta: Partial<TableMeta>;
  try {
    meta = JSON.parse(text) as Partial<TableMeta>;
  } catch (error) {
    throw new TableError(`table ${quoteName(path)}: not a table (${META_FILE} is not JSON)`, error);
  }
  if (meta === null || typeof meta !== 'object' || meta.format !== TABLE_FORMAT) {
    throw new TableError(
      `table ${quoteName(path)}: not a table (${META_FILE} is not a manifold table's)`,
    );
  }
  if (typeof meta.version !== 'number') {
    throw new TableError(
      `table ${quoteName(path)}: ${META_FILE} is damaged ("version" is not a number): rebuild it`,
    );
  }
  if (meta.version !== TABLE_VERSION) {
    throw new TableError(
      `table ${quoteName(path)}: format version ${String(meta.version)}, this manifold reads version ${TABLE_VERSION} (rebuild it)`,
    );
  }
  const damaged = missingField(meta);
  if (damaged !== undefined) {
    throw new TableError(
      `table ${quoteName(path)}: ${META_FILE} is damaged (${damaged}): rebuild it`,
    );
  }
  return meta as TableMeta;
}

/** The first field readers need that a `table.json` lacks or holds wrong, or `undefined`. */
function missingField(meta: Partial<TableMeta>): string | undefined {
  if (typeof meta.key !== 'string') return 'no "key"';
  if (!Number.isInteger(meta.shards) || (meta.shards as number) < 1) return 'no "shards"';
  const lmdb = meta.lmdb as Partial<TableMeta['lmdb']> | undefined;
  if (lmdb === null || typeof lmdb !== 'object') return 'no "lmdb"';
  const files = lmdb.files;
  if (
    !Array.isArray(files) ||
    files.length !== meta.shards ||
    files.some((f) => typeof f !== 'string')
  )
    return `"lmdb.files" is not ${meta.shards} file names`;
  if (lmdb.values !== 'raw' && lmdb.values !== 'list') return 'no "lmdb.values"';
  // What readers go by: a list read as a value, or a value as a list, was misread in silence.
  if (!(DUPLICATES_POLICIES as readonly unknown[]).includes(meta.duplicates))
    return 'no "duplicates"';
  if ((meta.duplicates === 'all') !== (lmdb.values === 'list'))
    return `"lmdb.values" ${lmdb.values} does not go with "duplicates" ${meta.duplicates}`;
  const separator = meta.fieldSeparator;
  if (separator !== null && separator !== undefined && typeof separator !== 'string')
    return '"fieldSeparator" is not text';
  try {
    parseKeySpec(meta.key, separator ?? undefined, '"key"', '"fieldSeparator"');
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
