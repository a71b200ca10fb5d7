/** Buffers a pool keeps at most, idle: a few blocks' worth per process. */
const KEPT = 8;
const ROUND = 64 * 1024;

/**
 * Buffers for blocks on their way to threads. A block is copied into a buffer that owns all its
 * memory (a transfer moves whole ArrayBuffers: a view into a larger one would empty its
 * parent). A thread that holds nothing of a block's buffer either carries its output back in
 * it, which comes back here once written (lent.ts), or gives it back at once, to be filled
 * again: a fresh megabyte costs a page fault per 4 KiB touched, a reused one a plain copy. Its room is a little more than the block's, so that the
 * output of a block that grows a little still fits.
 */
export class BufferPool {
  readonly #free: ArrayBuffer[] = [];
  /** The size of the last block filled: smaller buffers given back would only take room. */
  #last = 0;

  /** `parts` (`bytes` in all) copied into a buffer of the pool's, or a new one. */
  fill(parts: readonly Uint8Array[], bytes: number): ArrayBuffer {
    this.#last = bytes;
    const buffer = this.#take(bytes) ?? newBuffer(bytes);
    const target = new Uint8Array(buffer);
    let at = 0;
    for (const part of parts) {
      target.set(part, at);
      at += part.length;
    }
    return buffer;
  }

  /** Buffers given back, kept for blocks to come. */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (this.#free.length < KEPT && buffer.byteLength >= this.#last) this.#free.push(buffer);
    }
  }

  /** A free buffer that holds `bytes` without wasting more than half of itself. */
  #take(bytes: number): ArrayBuffer | undefined {
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const size = free[i]!.byteLength;
      if (size >= bytes && size <= 2 * bytes + ROUND) return free.splice(i, 1)[0];
    }
    return undefined;
  }
}

/** A buffer with room for a block a little larger, so that blocks of about one size share them. */
function newBuffer(bytes: number): ArrayBuffer {
  const size = Math.ceil((bytes + bytes / 16) / ROUND) * ROUND;
  // Not from Node's pool, and not zeroed: the copy writes what is read.
  return Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
}
