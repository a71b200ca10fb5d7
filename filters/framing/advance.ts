import type { BoundaryFinder } from './boundary.js';

/**
 * Up to `want` record ends in `chunk` from `from`, found one `next` at a time: how many, and the
 * end of the last (the chunk's end when fewer than `want` ended). For finders with no faster way.
 */
export function advanceByNext(
  finder: Pick<BoundaryFinder, 'next'>,
  chunk: Buffer,
  from: number,
  want: number,
): { found: number; end: number } {
  let found = 0;
  let pos = from;
  while (found < want) {
    const end = finder.next(chunk, pos);
    if (end < 0) return { found, end: chunk.length };
    found++;
    pos = end;
  }
  return { found, end: pos };
}

/**
 * Scans all of `chunk` from `from`, one `next` at a time: the end of the last record that ends
 * in it, or -1. For finders with no faster way.
 */
export function lastByNext(
  finder: Pick<BoundaryFinder, 'next'>,
  chunk: Buffer,
  from: number,
): number {
  let found = -1;
  for (let end = finder.next(chunk, from); end >= 0; end = finder.next(chunk, end)) found = end;
  return found;
}
