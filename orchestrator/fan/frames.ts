/**
 * Walks length-prefixed frames across chunks: where frames end, without cutting them out.
 * Shared by the counter of output records and the finder of whole records.
 */
export class FrameWalker {
  /** Bytes left of the frame in progress, or -1 while its header is incomplete. */
  #left = -1;
  readonly #header = Buffer.alloc(4);
  #headerBytes = 0;

  /** True when a frame has begun and not ended. */
  get midFrame(): boolean {
    return this.#left >= 0 || this.#headerBytes > 0;
  }

  /**
   * Walks `chunk` from `from` until `want` frames have ended or the chunk has: returns how many
   * ended, where the last of them ended (-1 if none), and where the walk stopped.
   */
  walk(chunk: Buffer, from: number, want: number): { found: number; lastEnd: number; end: number } {
    let found = 0;
    let lastEnd = -1;
    let pos = from;
    while (found < want && pos < chunk.length) {
      if (this.#left < 0) {
        const take = Math.min(4 - this.#headerBytes, chunk.length - pos);
        chunk.copy(this.#header, this.#headerBytes, pos, pos + take);
        this.#headerBytes += take;
        pos += take;
        if (this.#headerBytes < 4) break;
        this.#left = this.#header.readUInt32BE(0);
        this.#headerBytes = 0;
      }
      const take = Math.min(this.#left, chunk.length - pos);
      pos += take;
      this.#left -= take;
      if (this.#left === 0) {
        this.#left = -1;
        found++;
        lastEnd = pos;
      }
    }
    return { found, lastEnd, end: pos };
  }
}
