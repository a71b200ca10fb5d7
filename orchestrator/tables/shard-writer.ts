import type { Database, PutOptions } from 'lmdb';
import { loadLmdb } from '../../filters/tables/lmdb.js';
import type { DuplicatesPolicy } from '../../filters/tables/meta.js';
import { fsyncPath } from './sync.js';

/** What `put` did with a record. */
export type PutResult = 'stored' | 'duplicate';

const NO_OVERWRITE: PutOptions = { noOverwrite: true };

/**
 * Writes one shard: one LMDB environment in one file, filled in a single write transaction
 * that stays open across the reads of the input. One transaction, not one per read: LMDB
 * copies every page a transaction touches, and with keys in input (random) order each commit
 * would copy most of the tree again, making the file two to three times larger (measured:
 * 446 MB in ten commits against 166 MB in one, for 1 M records of ~100 bytes). No sync during
 * the build (the file is synced once at the end, before it is renamed into place).
 */
export class ShardWriter {
  keys = 0;
  readonly file: string;
  readonly #db: Database<Buffer, Uint8Array>;
  readonly #policy: DuplicatesPolicy;
  /**
   * Duplicates `all`: the later values of repeated keys, by key (latin1 text of its bytes), held
   * until the end and written once per key. Appending each to the stored list would copy the
   * whole list again for every value: quadratic in the values of one key.
   */
  readonly #later = new Map<string, { key: Buffer; values: Buffer[] }>();
  #commit: () => void = () => {};
  readonly #committed: Promise<unknown>;

  constructor(file: string, policy: DuplicatesPolicy, maxReaders: number, mapSize: number) {
    this.file = file;
    this.#policy = policy;
    this.#db = loadLmdb().open<Buffer, Uint8Array>({
      path: file,
      noSubdir: true,
      keyEncoding: 'binary',
      encoding: 'binary',
      maxReaders,
      mapSize,
      cache: false,
      compression: false,
      overlappingSync: false,
      noSync: true,
      noMemInit: true,
    });
    const open = new Promise<void>((resolve) => {
      this.#commit = resolve;
    });
    this.#committed = this.#db.transactionSync(() => open) as Promise<unknown>;
  }

  /** Stores a record's key and value by the duplicates policy (`error` stores nothing more). */
  put(key: Buffer, value: Buffer): PutResult {
    const db = this.#db;
    const stored = this.#policy === 'all' ? listOf(value) : value;
    if (putNew(db, key, stored)) {
      this.keys++;
      return 'stored';
    }
    if (this.#policy === 'last') db.putSync(key, stored);
    else if (this.#policy === 'all') this.#holdLater(key, stored);
    return 'duplicate';
  }

  #holdLater(key: Buffer, entry: Buffer): void {
    const text = key.toString('latin1');
    const held = this.#later.get(text);
    if (held === undefined) this.#later.set(text, { key: Buffer.from(key), values: [entry] });
    else held.values.push(entry);
  }

  /** Commits, closes, and syncs the file to disk. */
  async finish(): Promise<void> {
    for (const { key, values } of this.#later.values()) {
      this.#db.putSync(key, Buffer.concat([this.#db.getBinary(key)!, ...values]));
    }
    this.#later.clear();
    this.#commit();
    await this.#committed;
    await this.#db.close();
    fsyncPath(this.file);
  }

  /** Ends the transaction without waiting for the file: the build is being abandoned. */
  async abandon(): Promise<void> {
    this.#commit();
    await this.#committed.catch(() => {});
    await this.#db.close().catch(() => {});
  }
}

/** Stores the key only if it is new: LMDB's MDB_NOOVERWRITE, one tree walk for both. */
function putNew(db: Database<Buffer, Uint8Array>, key: Buffer, value: Buffer): boolean {
  return (db.putSync as (k: Buffer, v: Buffer, o: PutOptions) => unknown)(
    key,
    value,
    NO_OVERWRITE,
  ) as boolean;
}

/** One entry of a `list` value (duplicates `all`): a 4-byte big-endian length, the bytes. */
function listOf(value: Buffer): Buffer {
  const entry = Buffer.allocUnsafe(4 + value.length);
  entry.writeUInt32BE(value.length, 0);
  value.copy(entry, 4);
  return entry;
}
