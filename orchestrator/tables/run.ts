import { viewAt } from '../../filters/framing/view.js';
import { type KeyColumns, type Sorted, sortByKey, sortingByKey } from './key-sort.js';
import type { LoopTurns } from './turns.js';

/** A record's place in the inputs: which input (0-based) and its record number there. */
export interface Place {
  source: number;
  record: number;
}

/** The largest run: keys are found by 32-bit offsets into one arena. */
export const MAX_RUN_BYTES = 2 ** 32 - 1;

/** The most bytes between a record's key and its value that `addParts` copies with them. */
const MAX_GAP = 16;

/**
 * A record's key and value, and where each starts in the record's bytes: -1 when it is not
 * the record's bytes (made from JSON). `RecordParts` is one.
 */
export interface RecordSpan {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly keyAt: number;
  readonly valueAt: number;
}

/**
 * The records of one shard held in memory until they are written in key order: each record's
 * key and value copied side by side into one arena, and its columns (where the key is, its
 * length, the value's length, where the record came from) in typed arrays that double as they
 * fill. Held, not written as read, because LMDB fills a file fastest in key order (appended
 * pages, no tree walks, no half-empty pages: measured in docs/tables.md).
 */
export class Run implements KeyColumns {
  arena: Uint8Array = new Uint8Array(0);
  /** The arena's memory and where it starts there: views are built from them directly. */
  #memory: ArrayBufferLike = this.arena.buffer;
  #base = 0;
  keyStart = new Uint32Array(0);
  keyLength = new Uint16Array(0);
  valueStart = new Uint32Array(0);
  valueLength = new Uint32Array(0);
  source = new Uint32Array(0);
  record = new Float64Array(0);
  count = 0;
  bytes = 0;
  #sorted: Sorted | null = null;
  readonly limit: number;

  readonly #expected: number;

  /**
   * @param limit the most bytes of keys and values held before the run must be written (a
   *   key inside its value counts once; the few bytes `addParts` copies between them count).
   * @param expected the bytes the run will likely hold (its inputs' size): the arena is made
   *   that large at once rather than grown by copies.
   */
  constructor(limit: number, expected = 0) {
    this.limit = Math.min(limit, MAX_RUN_BYTES);
    this.#expected = Math.min(expected, this.limit);
  }

  /**
   * Whether a record of this many key and value bytes fits (an empty run takes any record), with
   * the bytes `addParts` may copy between them.
   */
  fits(size: number): boolean {
    return this.count === 0 || this.bytes + size + MAX_GAP <= this.limit;
  }

  /** Copies a key and a value in, from anywhere (keys made from JSON, say). */
  add(key: Uint8Array, value: Uint8Array, source: number, record: number): void {
    const size = key.length + value.length;
    const at = this.#reserve(size);
    this.arena.set(key, at);
    this.arena.set(value, at + key.length);
    this.#columns(at, key.length, at + key.length, value.length, source, record);
  }

  /**
   * Copies a record's key and value in. Where both are bytes of the record (fields, or the
   * whole record: the usual table), the span from the first of them to the end of the last is
   * copied in one piece (a key inside its value is not copied twice, a key and a value side by
   * side are one copy), unless more than `MAX_GAP` bytes lie between them: then, as for parts
   * that are not the record's bytes, each is copied on its own (`add`).
   */
  addParts(data: Buffer, parts: RecordSpan, source: number, record: number): void {
    const { key, value, keyAt, valueAt } = parts;
    const start = Math.min(keyAt, valueAt);
    const end = Math.max(keyAt + key.length, valueAt + value.length);
    if (start < 0 || end - start > key.length + value.length + MAX_GAP) {
      this.add(key, value, source, record);
      return;
    }
    const at = this.#reserve(end - start) - start;
    data.copy(this.arena, at + start, start, end);
    this.#columns(at + keyAt, key.length, at + valueAt, value.length, source, record);
  }

  /** Makes room for `size` bytes and a record's columns; returns where the bytes go. */
  #reserve(size: number): number {
    if (this.bytes + size > this.arena.length) this.#growArena(this.bytes + size);
    if (this.count === this.keyStart.length) this.#growColumns();
    const at = this.bytes;
    this.bytes = at + size;
    return at;
  }

  #columns(
    keyStart: number,
    keyLength: number,
    valueStart: number,
    valueLength: number,
    source: number,
    record: number,
  ): void {
    const i = this.count++;
    this.keyStart[i] = keyStart;
    this.keyLength[i] = keyLength;
    this.valueStart[i] = valueStart;
    this.valueLength[i] = valueLength;
    this.source[i] = source;
    this.record[i] = record;
    this.#sorted = null;
  }

  /** The records in key order, input order among equal keys (sorted once per run). */
  sorted(): Sorted {
    this.#sorted ??= sortByKey(this, this.count);
    return this.#sorted;
  }

  /** Sorts the run as `sorted` does, letting the event loop turn between the sort's steps. */
  async sort(turns: LoopTurns): Promise<void> {
    if (this.#sorted !== null) return;
    const steps = sortingByKey(this, this.count);
    for (;;) {
      const step = steps.next();
      if (step.done === true) {
        this.#sorted = step.value;
        return;
      }
      if (turns.due) await turns.take();
    }
  }

  /**
   * A record's key, a view of the arena (built directly from its memory: `subarray` costs twice
   * as much, and asking a typed array for its `buffer` is a call into the runtime).
   */
  key(i: number): Uint8Array {
    return viewAt(this.#memory, this.#base + this.keyStart[i]!, this.keyLength[i]!);
  }

  /** A record's value, a view of the arena. */
  value(i: number): Uint8Array {
    return viewAt(this.#memory, this.#base + this.valueStart[i]!, this.valueLength[i]!);
  }

  place(i: number): Place {
    return { source: this.source[i]!, record: this.record[i]! };
  }

  /** Empties the run, keeping its memory for the next. */
  clear(): void {
    this.count = 0;
    this.bytes = 0;
    this.#sorted = null;
  }

  #growArena(needed: number): void {
    let size = Math.max(this.arena.length * 2, this.#expected, 1 << 20);
    while (size < needed) size *= 2;
    // Not zeroed: only the bytes copied in are ever read.
    const arena = Buffer.allocUnsafeSlow(Math.min(size, Math.max(needed, this.limit)));
    arena.set(this.arena.subarray(0, this.bytes));
    this.arena = arena;
    this.#memory = arena.buffer;
    this.#base = arena.byteOffset;
  }

  #growColumns(): void {
    // A first guess from the expected bytes (records of ~100 bytes), then doubling.
    const size = Math.max(this.keyStart.length * 2, 4096, Math.ceil(this.#expected / 64));
    const grown = <T extends Uint32Array | Uint16Array | Float64Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.keyStart = grown(this.keyStart, new Uint32Array(size));
    this.keyLength = grown(this.keyLength, new Uint16Array(size));
    this.valueStart = grown(this.valueStart, new Uint32Array(size));
    this.valueLength = grown(this.valueLength, new Uint32Array(size));
    this.source = grown(this.source, new Uint32Array(size));
    this.record = grown(this.record, new Float64Array(size));
  }
}

/** Whether place `a` comes before place `b` in the inputs. */
export function placeBefore(a: Place, b: Place): boolean {
  return a.source < b.source || (a.source === b.source && a.record < b.record);
}
