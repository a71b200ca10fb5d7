import type { Framing } from '../../filters/index.js';

/**
 * Passes a worker's output on in whole records only, so that records from different workers
 * never interleave inside a record. It finds only the last record boundary of each chunk: the
 * records before it pass as the chunk's own bytes, without being cut one by one.
 */
export class WholeRecords {
  readonly #framing: Framing;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Frames: bytes still to come of the frame in progress (its header read), or -1. */
  #frameLeft = -1;
  #header = Buffer.alloc(4);
  #headerBytes = 0;

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
    let cut = 0;
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#frameLeft < 0) {
        const take = Math.min(4 - this.#headerBytes, chunk.length - pos);
        chunk.copy(this.#header, this.#headerBytes, pos, pos + take);
        this.#headerBytes += take;
        pos += take;
        if (this.#headerBytes < 4) break;
        this.#frameLeft = this.#header.readUInt32BE(0);
        this.#headerBytes = 0;
      }
      const take = Math.min(this.#frameLeft, chunk.length - pos);
      pos += take;
      this.#frameLeft -= take;
      if (this.#frameLeft === 0) {
        this.#frameLeft = -1;
        cut = pos;
      }
    }
    return cut;
  }
}
