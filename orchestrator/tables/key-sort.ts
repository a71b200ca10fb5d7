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
  for (let i = 0; i < count; i++) order[i] = i;
  if (count < 2) return { order, repeats };
  const spare = new Uint32Array(count);
  const counts = new Uint32Array(257);
  // Ranges still to sort, as (start, end, depth) triples: a stack, not recursion, as a key may
  // be ~2,000 bytes deep.
  const stack: number[] = [0, count, 0];
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
  return { order, repeats };
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
