import type { Framing } from '../../filters/index.js';
import { FrameWalker } from './frames.js';

/**
 * Passes a worker's output on in whole records only, so that records from different workers
 * never interleave inside a record. It finds only the last record boundary of each chunk: the
 * records before it pass as the chunk's own bytes, without being cut one by one.
 */
export class WholeRecords {
  readonly #framing: Framing;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  readonly #frames = new FrameWalker();

  constructor(framing: Framing) {
    this.#framing = framing;
  }

  /** Bytes held back: the start of a record not yet ended. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Returns the whole records completed by `chunk`, as Buffers to write in order. */
  push(chunk: Buffer): Buffer[] {
    const cut = this.#cut(chunk);
    if (cut === 0) {
      this.#hold(chunk);
      return [];
    }
    const out = this.#pending;
    out.push(cut === chunk.length ? chunk : chunk.subarray(0, cut));
    this.#pending = [];
    this.#pendingBytes = 0;
    if (cut < chunk.length) this.#hold(chunk.subarray(cut));
    return out;
  }

  /** At the end of the output: a final record without its delimiter gets one. */
  end(): Buffer[] {
    if (this.#pendingBytes === 0) return [];
    const out = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#framing.kind === 'delimited') out.push(this.#framing.delimiter);
    return out;
  }

  #hold(bytes: Buffer): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
  }

  /** The end of the last whole record in pending + chunk, counted in `chunk`; 0 for none. */
  #cut(chunk: Buffer): number {
    const framing = this.#framing;
    switch (framing.kind) {
      case 'delimited': {
        const delimiter = framing.delimiter;
        const at =
          delimiter.length === 1 ? chunk.lastIndexOf(delimiter[0]!) : chunk.lastIndexOf(delimiter);
        if (at >= 0) return at + delimiter.length;
        if (delimiter.length > 1 && this.#pendingBytes > 0) {
          const tail = Buffer.concat(this.#pending).subarray(-(delimiter.length - 1));
          const seam = Buffer.concat([tail, chunk.subarray(0, delimiter.length - 1)]);
          const inSeam = seam.lastIndexOf(delimiter);
          if (inSeam >= 0) return inSeam + delimiter.length - tail.length;
        }
        return 0;
      }
      case 'fixed': {
        const total = this.#pendingBytes + chunk.length;
        const cut = total - (total % framing.size) - this.#pendingBytes;
        return Math.max(cut, 0);
      }
      case 'frames':
        return this.#cutFrames(chunk);
      case 'raw':
        return chunk.length;
    }
  }

  #cutFrames(chunk: Buffer): number {
    return Math.max(this.#frames.walk(chunk, 0, Number.POSITIVE_INFINITY).lastEnd, 0);
  }
}

/** All of `parts`, a worker's complete output for something, as whole records. */
export function wholeRecordsOf(framing: Framing, parts: Buffer[]): Buffer[] {
  const whole = new WholeRecords(framing);
  const out = parts.flatMap((part) => whole.push(part));
  out.push(...whole.end());
  return out;
}
