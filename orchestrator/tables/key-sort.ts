/**
 * Sorts records by their key bytes, in LMDB's order (bytes compared as unsigned, a key before
 * the longer keys it begins), stably: records with equal keys stay in input order, which is what
 * the duplicates policies read. A most-significant-byte radix sort over the keys' bytes in one
 * arena: each byte is looked at about once (a comparison sort would compare the shared prefixes
 * of `u00012345`-style keys twenty times over), and no key is copied. docs/tables.md says why
 * this is hand-written.
 */

/** Where each record's key is: its offset in the arena and its length. */
export interface KeyColumns {
  arena: Uint8Array;
  keyStart: Uint32Array;
  keyLength: Uint16Array;
}

/** Below this many records a range is sorted by insertion, where counting would cost more. */
const SMALL = 48;

/** Below this many records a range is sorted by insertion rather than packed into numbers. */
const TINY = 8;

/** Records in key order, and which of them repeat the key before them. */
export interface Sorted {
  /** The record indices `0..count-1` in key order. */
  order: Uint32Array;
  /** 1 at each place of `order` whose key equals the key of the place before. */
  repeats: Uint8Array;
}

/** Sorts records `0..count-1` by key; the sort finds the runs of equal keys on its way. */
export function sortByKey(columns: KeyColumns, count: number): Sorted {
  const steps = sortingByKey(columns, count);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * `sortByKey` in steps: it yields between ranges, so a caller can let the event loop turn (a
 * build's signals are handled there) while a run of millions of records is sorted. Each step
 * is one native sort of at most a range's records, the first of all of them.
 *
 * Ranges are sorted by packing, for each record, as many of its key's next bytes as fit beside
 * its index in the range into one 64-bit number, and sorting those natively (std::sort; 0.3 s
 * for 4 M): 5 bytes a pass for 4 M records, 7 for a range of up to 256. Records whose packed
 * bytes are equal (in input order, by their index) form a range sorted by the bytes after them,
 * the same way. Keys like `k123456789` would otherwise take a counting pass over every record
 * per byte, or an insertion sort of each group of ~40 that shares its first five digits (2.5 s
 * of a 4 M-record build's 10 s, against 0.6 s now: docs/tables.md).
 */
export function* sortingByKey(columns: KeyColumns, count: number): Generator<void, Sorted> {
  const order = new Uint32Array(count);
  const repeats = new Uint8Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (count < 2) return { order, repeats };
  const spare = new Uint32Array(count);
  const counts = new Uint32Array(257);
  if (!LITTLE_ENDIAN) {
    sortFrom(columns, order, spare, counts, repeats, 0, count, 0);
    return { order, repeats };
  }
  const packed = new BigUint64Array(count);
  const sorter: Sorter = { columns, order, spare, counts, repeats, packed };
  // Ranges still to sort, as (start, end, depth) triples: the keys of each share `depth` bytes.
  const stack: number[] = [0, count, commonPrefix(columns, count)];
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const start = stack.pop()!;
    if (end - start < TINY) sortFrom(columns, order, spare, counts, repeats, start, end, depth);
    else sortPacked(sorter, start, end, depth, stack);
    yield;
  }
  return { order, repeats };
}

/** What sorting one range by packed bytes uses: the columns, the answer and scratch memory. */
interface Sorter {
  columns: KeyColumns;
  order: Uint32Array;
  spare: Uint32Array;
  counts: Uint32Array;
  repeats: Uint8Array;
  packed: BigUint64Array;
}

/**
 * Sorts `order[start..end)`, whose keys share their first `depth` bytes, by the bytes packed
 * after them, and pushes each group of records whose packed bytes are equal for the bytes after
 * those. A group where some key ends inside the packed bytes (which read as zeros there) is
 * sorted by byte from `depth`, where a key sorts before the longer keys it begins; a group
 * whose keys all end there, at one length, is one key repeated.
 */
function sortPacked(
  sorter: Sorter,
  start: number,
  end: number,
  depth: number,
  stack: number[],
): void {
  const { columns, order, spare, repeats } = sorter;
  const { arena, keyStart, keyLength } = columns;
  const count = end - start;
  // High 32 bits: four key bytes; low: any more, then the record's index in the range.
  const indexBits = Math.max(1, Math.ceil(Math.log2(count)));
  const width = Math.floor((64 - indexBits) / 8);
  const shift = 32 - (width - 4) * 8;
  const keyMask = width > 4 ? (0xffffffff << shift) >>> 0 : 0;
  const packed = sorter.packed.subarray(0, count);
  const halves = new Uint32Array(packed.buffer, 0, 2 * count);
  for (let i = 0; i < count; i++) {
    const record = order[start + i]!;
    const from = keyStart[record]! + depth;
    const left = keyLength[record]! - depth;
    let high: number;
    let low = 0;
    if (left >= width) {
      high = (arena[from]! << 24) | (arena[from + 1]! << 16) | (arena[from + 2]! << 8);
      high |= arena[from + 3]!;
      for (let j = 4; j < width; j++) low = (low << 8) | arena[from + j]!;
    } else {
      high = 0;
      for (let j = 0; j < 4; j++) high = (high << 8) | (j < left ? arena[from + j]! : 0);
      for (let j = 4; j < width; j++) low = (low << 8) | (j < left ? arena[from + j]! : 0);
    }
    halves[2 * i] = (width > 4 ? low << shift : 0) | i;
    halves[2 * i + 1] = high >>> 0;
    spare[start + i] = record;
  }
  packed.sort();
  const indexMask = ~keyMask >>> 0;
  for (let i = 0; i < count; i++) {
    order[start + i] = spare[start + ((halves[2 * i]! & indexMask) >>> 0)]!;
  }
  const next = depth + width;
  for (let first = 0; first < count; ) {
    const high = halves[2 * first + 1]!;
    const low = halves[2 * first]! & keyMask;
    let last = first + 1;
    while (last < count && halves[2 * last + 1] === high && (halves[2 * last]! & keyMask) === low) {
      last++;
    }
    if (last - first > 1) {
      let shortest = Number.MAX_SAFE_INTEGER;
      let longest = 0;
      for (let i = start + first; i < start + last; i++) {
        const length = keyLength[order[i]!]!;
        if (length < shortest) shortest = length;
        if (length > longest) longest = length;
      }
      if (longest <= next && shortest === longest) {
        for (let i = start + first + 1; i < start + last; i++) repeats[i] = 1;
      } else if (shortest < next) {
        const { counts } = sorter;
        sortFrom(columns, order, spare, counts, repeats, start + first, start + last, depth);
      } else {
        stack.push(start + first, start + last, next);
      }
    }
    first = last;
  }
}

/** Whether this machine stores numbers little-end first, as the 64-bit packing above reads them. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** How many first bytes every key shares (at most the shortest key's length). */
function commonPrefix({ arena, keyStart, keyLength }: KeyColumns, count: number): number {
  let common = keyLength[0]!;
  const first = keyStart[0]!;
  for (let i = 1; i < count && common > 0; i++) {
    const start = keyStart[i]!;
    const length = Math.min(common, keyLength[i]!);
    let j = 0;
    while (j < length && arena[start + j] === arena[first + j]) j++;
    common = j;
  }
  return common;
}

/**
 * Sorts `order[start..end)`, whose keys share their first `depth` bytes, by the rest, and marks
 * the repeats among them.
 */
function sortFrom(
  columns: KeyColumns,
  order: Uint32Array,
  spare: Uint32Array,
  counts: Uint32Array,
  repeats: Uint8Array,
  rangeStart: number,
  rangeEnd: number,
  rangeDepth: number,
): void {
  // Ranges still to sort, as (start, end, depth) triples: a stack, not recursion, as a key may
  // be ~2,000 bytes deep.
  const stack: number[] = [rangeStart, rangeEnd, rangeDepth];
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const start = stack.pop()!;
    if (end - start < SMALL) {
      insertionSort(columns, order, start, end, depth);
      for (let i = start + 1; i < end; i++) {
        if (compareKeys(columns, order[i - 1]!, order[i]!, depth) === 0) repeats[i] = 1;
      }
      continue;
    }
    sortRange(columns, order, spare, counts, start, end, depth, stack);
    // The keys that end at this depth (bucket 0, first in the range) are all the same key.
    const ended = counts[0]! - start;
    for (let i = start + 1; i < start + ended; i++) repeats[i] = 1;
  }
}

/**
 * Distributes one range by the byte at `depth` (bucket 0: keys that end before it, already
 * equal to each other) and pushes every bucket of more than one record for the next byte.
 */
function sortRange(
  { arena, keyStart, keyLength }: KeyColumns,
  order: Uint32Array,
  spare: Uint32Array,
  counts: Uint32Array,
  start: number,
  end: number,
  depth: number,
  stack: number[],
): void {
  counts.fill(0);
  for (let i = start; i < end; i++) {
    const record = order[i]!;
    counts[depth < keyLength[record]! ? arena[keyStart[record]! + depth]! + 1 : 0]!++;
  }
  // All in one bucket: a shared byte, nothing to move.
  for (let bucket = 1; bucket < 257; bucket++) {
    if (counts[bucket] === end - start) {
      stack.push(start, end, depth + 1);
      counts[0] = start;
      return;
    }
  }
  let at = start;
  for (let bucket = 0; bucket < 257; bucket++) {
    const size = counts[bucket]!;
    counts[bucket] = at;
    if (bucket > 0 && size > 1) stack.push(at, at + size, depth + 1);
    at += size;
  }
  for (let i = start; i < end; i++) {
    const record = order[i]!;
    const bucket = depth < keyLength[record]! ? arena[keyStart[record]! + depth]! + 1 : 0;
    spare[counts[bucket]!++] = record;
  }
  order.set(spare.subarray(start, end), start);
}

/** Sorts a small range whose keys share their first `depth` bytes. */
function insertionSort(
  columns: KeyColumns,
  order: Uint32Array,
  start: number,
  end: number,
  depth: number,
): void {
  for (let i = start + 1; i < end; i++) {
    const record = order[i]!;
    let j = i - 1;
    while (j >= start && compareKeys(columns, order[j]!, record, depth) > 0) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = record;
  }
}

/** Compares two records' keys from byte `depth` on: negative, zero or positive. */
export function compareKeys(
  { arena, keyStart, keyLength }: KeyColumns,
  a: number,
  b: number,
  depth = 0,
): number {
  const lengthA = keyLength[a]!;
  const lengthB = keyLength[b]!;
  const startA = keyStart[a]!;
  const startB = keyStart[b]!;
  const shorter = Math.min(lengthA, lengthB);
  for (let i = depth; i < shorter; i++) {
    const difference = arena[startA + i]! - arena[startB + i]!;
    if (difference !== 0) return difference;
  }
  return lengthA - lengthB;
}
