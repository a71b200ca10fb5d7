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

/** Records in key order, and which of them repeat the key before them. */
export interface Sorted {
  /** The record indices `0..count-1` in key order. */
  order: Uint32Array;
  /** 1 at each place of `order` whose key equals the key of the place before. */
  repeats: Uint8Array;
}

/** Sorts records `0..count-1` by key; the sort finds the runs of equal keys on its way. */
export function sortByKey(columns: KeyColumns, count: number): Sorted {
  const order = new Uint32Array(count);
  const repeats = new Uint8Array(count);
  // One record: order[0] is 0 as made.
  if (count < 2) return { order, repeats };
  const spare = new Uint32Array(count);
  const counts = new Uint32Array(257);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < count; i++) order[i] = i;
    sortFrom(columns, order, spare, counts, repeats, 0, count, 0);
    return { order, repeats };
  }
  // First by the bytes that follow the prefix every key shares, as many as fit beside the
  // record's index in one 64-bit number (5 for 1 M records), sorted natively (std::sort, ~50 ms
  // for 1 M). Keys like `u00012345` would otherwise take a counting pass over every record per
  // byte of prefix. High 32 bits: four key bytes; low: any more, then the index.
  const common = commonPrefix(columns, count);
  const indexBits = Math.max(1, Math.ceil(Math.log2(count)));
  const width = Math.floor((64 - indexBits) / 8);
  const shift = 32 - (width - 4) * 8;
  const keyMask = width > 4 ? (0xffffffff << shift) >>> 0 : 0;
  const packed = new BigUint64Array(count);
  const halves = new Uint32Array(packed.buffer);
  const { arena, keyStart, keyLength } = columns;
  let short = false;
  for (let i = 0; i < count; i++) {
    const start = keyStart[i]! + common;
    const left = keyLength[i]! - common;
    let high: number;
    let low = 0;
    if (left >= width) {
      high = (arena[start]! << 24) | (arena[start + 1]! << 16) | (arena[start + 2]! << 8);
      high |= arena[start + 3]!;
      for (let j = 4; j < width; j++) low = (low << 8) | arena[start + j]!;
    } else {
      short = true;
      high = 0;
      for (let j = 0; j < 4; j++) high = (high << 8) | (j < left ? arena[start + j]! : 0);
      for (let j = 4; j < width; j++) low = (low << 8) | (j < left ? arena[start + j]! : 0);
    }
    halves[2 * i] = (width > 4 ? low << shift : 0) | i;
    halves[2 * i + 1] = high >>> 0;
  }
  packed.sort();
  for (let i = 0; i < count; i++) order[i] = halves[2 * i]! & ~keyMask;
  // Records whose packed bytes are equal are in input order; their keys' rest sorts them apart.
  for (let start = 0; start < count; ) {
    const high = halves[2 * start + 1]!;
    const low = halves[2 * start]! & keyMask;
    let end = start + 1;
    while (end < count && halves[2 * end + 1] === high && (halves[2 * end]! & keyMask) === low) {
      end++;
    }
    if (end - start > 1) {
      // A key that ends inside the packed bytes reads as zeros there: its group starts again at
      // the shared prefix, where the sort orders a key before the longer keys it begins.
      let depth = common + width;
      if (short) {
        for (let i = start; i < end && depth > common; i++) {
          if (keyLength[order[i]!]! < common + width) depth = common;
        }
      }
      sortFrom(columns, order, spare, counts, repeats, start, end, depth);
    }
    start = end;
  }
  return { order, repeats };
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
