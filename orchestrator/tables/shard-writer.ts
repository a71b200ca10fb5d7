import { statSync, truncateSync } from 'node:fs';
import type * as Lmdb from 'lmdb';
import type { Database, PutOptions } from 'lmdb';
import { loadLmdb } from '../../filters/tables/lmdb.js';
import type { DuplicatesPolicy } from '../../filters/tables/meta.js';
import { writeFailure } from './place.js';
import { PageReserve } from './reserve.js';
import { type Place, placeBefore, type RecordSpan, Run } from './run.js';
import type { ShardFiles } from './shard-files.js';
import { fsyncPath } from './sync.js';
import type { LoopTurns } from './turns.js';

/** A key met twice under `--duplicates error`: `first` is null when it is in an earlier run. */
export class DuplicateKey extends Error {
  constructor(
    readonly key: Uint8Array,
    readonly first: Place | null,
    readonly second: Place,
  ) {
    super('duplicate key');
  }
}

const APPEND: PutOptions = { append: true };
const NO_OVERWRITE: PutOptions = { noOverwrite: true };

type Put = (key: Uint8Array, value: Uint8Array, options?: PutOptions) => boolean;

/**
 * Writes one shard: one LMDB environment in one file. Records are held in a `Run` and written
 * in key order when the run is full or the input ends: the first run of a shard is appended
 * (MDB_APPEND: pages filled in order, no tree walk), a later one (a table larger than the build
 * memory) is put key by key into what is there. One write transaction for the whole build, in
 * MDB_WRITEMAP mode (pages written in place in the map, not copied at commit): the file is
 * sized to the map while it is built and cut to its last page at the end. No sync until then.
 */
export class ShardWriter {
  keys = 0;
  duplicates = 0;
  /** The answer of `firstDuplicate` for the run as it held `count` records. */
  #checked: { count: number; found: DuplicateKey | null } | undefined;
  readonly file: string;
  readonly #db: Database<Buffer, Uint8Array>;
  readonly #put: Put;
  readonly #policy: DuplicatesPolicy;
  readonly #run: Run;
  #runs = 0;
  readonly #target: string;
  readonly #reserve: PageReserve;
  #commit: () => void = () => {};
  readonly #committed: Promise<unknown>;
  readonly #turns: LoopTurns;

  /**
   * @param target the table's name (`-o`) for messages: a failure to write (a full disk) is one
   *   line naming it, and a duplicate key goes through as it is.
   */
  constructor(
    file: string,
    target: string,
    policy: DuplicatesPolicy,
    options: {
      maxReaders: number;
      mapSize: number;
      runBytes: number;
      expectedBytes: number;
      /** Makes the shard's files before LMDB opens them. */
      files: ShardFiles;
      /** Turns of the event loop between steps of sorting and writing a run. */
      turns: LoopTurns;
    },
  ) {
    this.file = file;
    this.#turns = options.turns;
    this.#target = target;
    this.#policy = policy;
    this.#run = new Run(options.runBytes, options.expectedBytes);
    // Loaded first: the look at the free space is then just before LMDB writes, not ~20 ms.
    const lmdb = loadLmdb();
    options.files.make(file, options.maxReaders);
    try {
      this.#db = openShard(lmdb, file, options);
    } catch (error) {
      throw writeFailure(target, error);
    }
    this.#put = this.#db.putSync.bind(this.#db) as unknown as Put;
    const stats = this.#db.getStats() as { pageSize: number; lastTxnId: number };
    const { pageSize } = stats;
    options.files.keepTemplate(file, pageSize, stats);
    this.#reserve = new PageReserve(file, pageSize, statSync(file).size, () => this.#pages());
    const open = new Promise<void>((resolve) => {
      this.#commit = resolve;
    });
    this.#committed = this.#db.transactionSync(() => open) as Promise<unknown>;
  }

  /** Whether the run must be written (`writeRun`) before a record of these parts is held. */
  full(parts: RecordSpan): boolean {
    return !this.#run.fits(parts.key.length + parts.value.length);
  }

  /**
   * Holds a record's key and value (copied: the record's memory is read into again; see
   * `Run.addParts`). The caller has written the run first if it was `full`.
   */
  put(data: Buffer, parts: RecordSpan, source: number, record: number): void {
    this.#run.addParts(data, parts, source, record);
  }

  /** Sorts what is held (what `firstDuplicate` and `writeRun` read), between loop turns. */
  async sort(): Promise<void> {
    await this.#run.sort(this.#turns);
  }

  /**
   * Under `--duplicates error`: of the records held, the one that repeats a key (held before it,
   * or stored by an earlier run) that comes first in the inputs, if any (the run is sorted for it
   * once; writing uses the same order).
   */
  firstDuplicate(): DuplicateKey | null {
    const run = this.#run;
    // The build asks before finishing, and writing the run asks again: one scan answers both.
    if (this.#checked?.count === run.count) return this.#checked.found;
    const { order, repeats } = run.sorted();
    let found: DuplicateKey | null = null;
    for (let i = 0; i < run.count; i++) {
      if (repeats[i] === 1) continue;
      // A key's first record held: a repeat of a key an earlier run stored (looked up, as the
      // write would meet it: in key order, not the inputs'), else its next record held, if any.
      const key = run.key(order[i]!);
      const stored = this.#runs > 0 && this.#db.getBinary(key) !== undefined;
      if (!stored && (i + 1 >= run.count || repeats[i + 1] !== 1)) continue;
      const second = run.place(order[stored ? i : i + 1]!);
      if (found === null || placeBefore(second, found.second)) {
        found = new DuplicateKey(key.slice(), stored ? null : run.place(order[i]!), second);
      }
    }
    this.#checked = { count: run.count, found };
    return found;
  }

  /** Writes what is held, commits, closes, cuts the file to its pages and syncs it. */
  async finish(): Promise<void> {
    await this.writeRun();
    try {
      this.#reserve.beforeCommit();
      this.#commit();
      await this.#committed;
      const { lastPageNumber, pageSize } = this.#db.getStats() as {
        lastPageNumber: number;
        pageSize: number;
      };
      await this.#db.close();
      truncateSync(this.file, (lastPageNumber + 1) * pageSize);
      fsyncPath(this.file);
    } catch (error) {
      throw writeFailure(this.#target, error);
    }
  }

  /** Ends the transaction without waiting for the file: the build is being abandoned. */
  async abandon(): Promise<void> {
    this.#commit();
    await this.#committed.catch(() => {});
    await this.#db.close().catch(() => {});
  }

  /** The pages the file holds in the transaction: the two meta pages and the tree's. */
  #pages(): number {
    const stats = this.#db.getStats() as {
      treeLeafPageCount: number;
      treeBranchPageCount: number;
      overflowPages: number;
    };
    return 2 + stats.treeLeafPageCount + stats.treeBranchPageCount + stats.overflowPages;
  }

  /**
   * Writes the run's records in key order, one entry per key by the duplicates policy, and
   * empties it. The sort and the puts let the event loop turn between their steps.
   */
  async writeRun(): Promise<void> {
    const run = this.#run;
    if (run.count === 0) return;
    await this.sort();
    if (this.#policy === 'error') {
      const duplicate = this.firstDuplicate();
      if (duplicate !== null) throw duplicate;
    }
    const { order, repeats } = run.sorted();
    const append = this.#runs === 0;
    const turns = this.#turns;
    try {
      let stored = 0;
      for (let i = 0; i < run.count; ) {
        let end = i + 1;
        while (end < run.count && repeats[end] === 1) end++;
        this.duplicates += end - i - 1;
        this.#store(order, i, end, append);
        i = end;
        if ((++stored & 1023) === 0 && turns.due) await turns.take();
      }
    } catch (error) {
      throw error instanceof DuplicateKey ? error : writeFailure(this.#target, error);
    }
    this.#runs++;
    run.clear();
    this.#checked = undefined;
  }

  /**
   * Stores one key's records, `order[start..end)` (in input order), into an empty file by
   * appending, else by put. (Indices, not a `subarray`: a typed array made per key cost more
   * than the sort's work per key.)
   */
  #store(order: Uint32Array, start: number, end: number, append: boolean): void {
    const run = this.#run;
    const first = order[start]!;
    const key = run.key(first);
    const policy = this.#policy;
    const value =
      policy === 'all'
        ? listOf(run, order.subarray(start, end))
        : run.value(policy === 'last' ? order[end - 1]! : first);
    this.#reserve.add(key.length, value.length, append);
    if (append) {
      // LMDB refuses a key not above the last: the sort's order is checked as it is written.
      if (!this.#put(key, value, APPEND)) throw new Error('internal: keys out of order for LMDB');
      this.keys++;
      return;
    }
    if (this.#put(key, value, NO_OVERWRITE)) {
      this.keys++;
      return;
    }
    // The key is in an earlier run.
    this.duplicates += 1;
    if (policy === 'error') throw new DuplicateKey(key.slice(), null, run.place(first));
    if (policy === 'last') {
      this.#reserve.add(key.length, value.length, false);
      this.#put(key, value);
    } else if (policy === 'all') {
      const list = Buffer.concat([this.#db.getBinary(key)!, value]);
      this.#reserve.add(key.length, list.length, false);
      this.#put(key, list);
    }
  }
}

/** Opens a shard's file to be written: raw bytes, written in place in the map, no sync. */
function openShard(
  lmdb: typeof Lmdb,
  file: string,
  options: { maxReaders: number; mapSize: number },
): Database<Buffer, Uint8Array> {
  return lmdb.open<Buffer, Uint8Array>({
    path: file,
    noSubdir: true,
    keyEncoding: 'binary',
    encoding: 'binary',
    maxReaders: options.maxReaders,
    mapSize: options.mapSize,
    cache: false,
    compression: false,
    overlappingSync: false,
    noSync: true,
    noMemInit: true,
    useWritemap: true,
  });
}

/** A `list` value (duplicates `all`): each value as a 4-byte big-endian length and its bytes. */
function listOf(run: Run, group: Uint32Array): Uint8Array {
  let size = 0;
  for (const i of group) size += 4 + run.valueLength[i]!;
  const list = Buffer.allocUnsafe(size);
  let at = 0;
  for (const i of group) {
    const value = run.value(i);
    list.writeUInt32BE(value.length, at);
    list.set(value, at + 4);
    at += 4 + value.length;
  }
  return list;
}
