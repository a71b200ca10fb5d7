import type { Framing } from '../../filters/index.js';
import { FrameWalker } from './frames.js';

/**
 * Counts records in a stream of chunks, to find where the Nth record ends: how `--one-to-one`
 * ties a persistent worker's output to its input blocks.
 */
export class RecordCounter {
  readonly #framing: Framing;
  /** Delimited: the last bytes seen, for a delimiter split across chunks. */
  #tail = Buffer.alloc(0);
  /** Fixed: bytes of the current record so far. */
  #inRecord = 0;
  #partial = false;
  readonly #frameWalker = new FrameWalker();

  constructor(framing: Framing) {
    this.#framing = framing;
  }

  /**
   * Counts up to `want` records in `chunk` from `from`, and returns how many it found and the
   * position just after the last one found (or the chunk's end if fewer than `want` ended).
   */
  advance(chunk: Buffer, from: number, want: number): { found: number; end: number } {
    const framing = this.#framing;
    switch (framing.kind) {
      case 'delimited':
        return this.#delimited(chunk, from, want, framing.delimiter);
      case 'fixed': {
        let found = 0;
        let pos = from;
        while (found < want && pos < chunk.length) {
          const take = Math.min(framing.size - this.#inRecord, chunk.length - pos);
          pos += take;
          this.#inRecord += take;
          if (this.#inRecord === framing.size) {
            this.#inRecord = 0;
            found++;
          }
        }
        return { found, end: pos };
      }
      case 'frames':
        return this.#frames(chunk, from, want);
      case 'raw':
        return { found: 0, end: chunk.length };
    }
  }

  /** True when bytes of an unfinished record have been seen. */
  get midRecord(): boolean {
    return this.#partial || this.#inRecord > 0 || this.#frameWalker.midFrame;
  }

  #delimited(chunk: Buffer, from: number, want: number, delimiter: Buffer) {
    let found = 0;
    let pos = from;
    const size = delimiter.length;
    if (size > 1 && this.#tail.length > 0 && from === 0) {
      const seam = Buffer.concat([this.#tail, chunk.subarray(0, size - 1)]);
      const at = seam.indexOf(delimiter);
      if (at >= 0 && at < this.#tail.length) {
        found = 1;
        pos = at + size - this.#tail.length;
      }
    }
    while (found < want) {
      const at = size === 1 ? chunk.indexOf(delimiter[0]!, pos) : chunk.indexOf(delimiter, pos);
      if (at < 0) break;
      found++;
      pos = at + size;
    }
    if (found === want) {
      this.#partial = false;
      this.#tail = Buffer.alloc(0);
      return { found, end: pos };
    }
    this.#partial = pos < chunk.length || (found === 0 && this.#partial);
    if (size > 1)
      this.#tail = Buffer.from(chunk.subarray(Math.max(pos, chunk.length - (size - 1))));
    return { found, end: chunk.length };
  }

  #frames(chunk: Buffer, from: number, want: number) {
    const { found, end } = this.#frameWalker.walk(chunk, from, want);
    return { found, end };
  }
}
