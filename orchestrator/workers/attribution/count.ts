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
    return finder === null ? { found: 0, end: chunk.length } : finder.advance(chunk, from, want);
  }

  /** True when bytes of an unfinished record have been seen. */
  get midRecord(): boolean {
    return this.#finder?.midRecord ?? false;
  }
}
