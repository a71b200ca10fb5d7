import { type BoundaryFinder, createBoundaryFinder } from '../../../filters/framing/boundary.js';
import type { Framing } from '../../../filters/index.js';

/**
 * Counts records in a stream of chunks, to find where the Nth record ends: how `--one-to-one`
 * ties a persistent worker's output to its input blocks. Raw output has no records to count.
 */
export class RecordCounter {
  readonly #finder: BoundaryFinder | null;

  constructor(framing: Framing) {
    this.#finder = framing.kind === 'raw' ? null : createBoundaryFinder(framing);
  }

  /**
   * Counts up to `want` records in `chunk` from `from`, and returns how many it found and the
   * position just after the last one found (or the chunk's end if fewer than `want` ended).
   */
  advance(chunk: Buffer, from: number, want: number): { found: number; end: number } {
    const finder = this.#finder;
    if (finder === null) return { found: 0, end: chunk.length };
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

  /** True when bytes of an unfinished record have been seen. */
  get midRecord(): boolean {
    return this.#finder?.midRecord ?? false;
  }
}
