import type { TextMemory } from '../framing/encoder.js';

/** The most a scratch buffer holds: a block's output and some, in one allocation. */
const SIZE = 4 * 1024 * 1024;

/**
 * Memory to encode a thread's output text into, used again block after block. A fresh Buffer
 * per encoded window is fresh memory: in a worker thread it comes from a malloc arena of the
 * thread's own, whose memory is given back and faulted in again (a page fault per 4 KiB, and
 * dear on a virtual machine), where a process's writes free each window before the next. Here
 * windows are written one after another into one buffer, and everything written is dropped at
 * once (`reset`) when the output has been copied out: after each post to manifold.
 */
export class Scratch implements TextMemory {
  #buffer: Buffer | null = null;
  #at = 0;

  /** `text` as UTF-8 in the scratch buffer, or a Buffer of its own when it has no room left. */
  encode(text: string): Buffer {
    this.#buffer ??= Buffer.allocUnsafeSlow(SIZE);
    const buffer = this.#buffer;
    const room = buffer.length - this.#at;
    // A UTF-16 unit is at most 3 bytes of UTF-8: only a long text needs measuring first.
    if (text.length * 3 > room && Buffer.byteLength(text, 'utf8') > room) {
      return Buffer.from(text, 'utf8');
    }
    const start = this.#at;
    this.#at += buffer.write(text, start, 'utf8');
    return buffer.subarray(start, this.#at);
  }

  /** Everything encoded has been copied out: the memory serves again. */
  reset(): void {
    this.#at = 0;
  }
}
