import { DelimiterFinder } from './delimiter-finder.js';
import { FrameFinder } from './frame-finder.js';
import type { Framing } from './spec.js';

/**
 * Finds where records end in a stream of reads, for one framing: the one place that knows a
 * record, a frame header or a delimiter may be split across any number of reads. A finder
 * remembers what it has scanned, so each byte is looked at once. Scans are contiguous: every
 * call goes on where the last one stopped, at the end it returned or at the end of its chunk.
 */
export interface BoundaryFinder {
  /**
   * The end (an offset in `chunk`, past the record's delimiter) of the first record that ends
   * in `chunk` from `from`, or -1 when none does and all of it was scanned.
   */
  next(chunk: Buffer, from: number): number;
  /** Scans all of `chunk` from `from`; the end of the last record that ends in it, or -1. */
  last(chunk: Buffer, from: number): number;
  /** True when bytes of a record that has not ended yet have been scanned. */
  readonly midRecord: boolean;
}

export function createBoundaryFinder(framing: Framing): BoundaryFinder {
  switch (framing.kind) {
    case 'delimited':
      return new DelimiterFinder(framing.delimiter);
    case 'fixed':
      return new FixedFinder(framing.size);
    case 'frames':
      return new FrameFinder();
    case 'raw':
      return new RawFinder();
  }
}

/** The bytes of framing around each record: a delimiter after it, a header before it. */
export function framingBytes(framing: Framing): number {
  if (framing.kind === 'delimited') return framing.delimiter.length;
  return framing.kind === 'frames' ? 4 : 0;
}

/** Records of `size` bytes. */
export class FixedFinder implements BoundaryFinder {
  readonly #size: number;
  /** Bytes of the current record scanned so far. */
  #inRecord = 0;

  constructor(size: number) {
    this.#size = size;
  }

  get midRecord(): boolean {
    return this.#inRecord > 0;
  }

  next(chunk: Buffer, from: number): number {
    const need = this.#size - this.#inRecord;
    if (chunk.length - from >= need) {
      this.#inRecord = 0;
      return from + need;
    }
    this.#inRecord += chunk.length - from;
    return -1;
  }

  last(chunk: Buffer, from: number): number {
    const total = this.#inRecord + chunk.length - from;
    this.#inRecord = total % this.#size;
    return total < this.#size ? -1 : chunk.length - this.#inRecord;
  }
}

/** No records inside a read: each read is one, as it came. */
export class RawFinder implements BoundaryFinder {
  readonly midRecord = false;

  next(chunk: Buffer, from: number): number {
    return from < chunk.length ? chunk.length : -1;
  }

  last(chunk: Buffer, from: number): number {
    return this.next(chunk, from);
  }
}

/**
 * True when bytes that begin on a record boundary also end on one: no record is left open.
 * A delimiter that cannot overlap itself need only be looked for at the end; one that can
 * (`AA`, `ABA`) needs the whole scan, since `xAAA` ends inside a record.
 */
export function endsOnBoundary(parts: Buffer[], framing: Framing): boolean {
  if (framing.kind === 'delimited' && !overlapsItself(framing.delimiter)) {
    return endsWith(parts, framing.delimiter);
  }
  const finder = createBoundaryFinder(framing);
  for (const part of parts) finder.last(part, 0);
  return !finder.midRecord;
}

/** True when a proper prefix of `delimiter` also ends it, so two copies can overlap. */
export function overlapsItself(delimiter: Buffer): boolean {
  for (let n = 1; n < delimiter.length; n++) {
    if (delimiter.subarray(0, n).equals(delimiter.subarray(delimiter.length - n))) return true;
  }
  return false;
}

/** True when the bytes of `parts` together end with `suffix` (an empty input ends nothing). */
function endsWith(parts: Buffer[], suffix: Buffer): boolean {
  let need = suffix.length;
  for (let i = parts.length - 1; i >= 0 && need > 0; i--) {
    const part = parts[i]!;
    const take = Math.min(need, part.length);
    const from = part.length - take;
    if (part.compare(suffix, need - take, need, from, part.length) !== 0) return false;
    need -= take;
  }
  return need === 0;
}
