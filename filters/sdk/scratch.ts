import type { TextMemory } from '../framing/encoder.js';

/** The most a scratch buffer holds: a block's output and some, in one allocation. */
const SIZE = 4 * 1024 * 1024;

/**
 * Memory to encode output text into, used again once the output is out. A fresh Buffer per
 * encoded window is fresh memory, a page fault per 4 KiB (dear on a virtual machine): in a worker
 * thread from a malloc arena of the thread's own, whose memory is given back and faulted in
 * again; in a process, from memory the collector frees only later, so each window was new (a
 * 100 MB `mf-map` faulted 40 k times, and took 2× the time it takes now). Here windows are
 * written one after another into one buffer, and everything written is dropped at once
 * (`reset`): in a thread after each post to manifold, in a process after each write to stdout
 * that left nothing queued.
 */
export class Scratch implements TextMemory {
  #buffer: Buffer | null = null;
  /** Bytes left unwritten at the start of the memory, each time it starts again. */
  readonly #lead: number;
  #at: number;

  /** `lead`: bytes kept at the start, for the owner to fill (a thread's first message header). */
  constructor(lead = 0) {
    this.#lead = lead;
    this.#at = lead;
  }

  /** `text` as UTF-8 in the scratch buffer, or a Buffer of its own when it has no room left. */
  encode(text: string): Buffer {
    const buffer = this.#memory();
    const room = buffer.length - this.#at;
    // A UTF-16 unit is at most 3 bytes of UTF-8: only a long text needs measuring first.
    if (text.length * 3 > room && Buffer.byteLength(text, 'utf8') > room) {
      return Buffer.from(text, 'utf8');
    }
    const start = this.#at;
    this.#at += buffer.write(text, start, 'utf8');
    return buffer.subarray(start, this.#at);
  }

  get buffer(): Buffer | null {
    return this.#buffer;
  }

  append(record: Uint8Array, delimiter: Uint8Array): number {
    const buffer = this.#memory();
    const start = this.#at;
    const end = start + record.length + delimiter.length;
    if (end > buffer.length) return -1;
    buffer.set(record, start);
    if (delimiter.length === 1) buffer[start + record.length] = delimiter[0]!;
    else buffer.set(delimiter, start + record.length);
    this.#at = end;
    return start;
  }

  /** Where the next bytes go. */
  get at(): number {
    return this.#at;
  }

  /** Keeps the next `n` bytes unwritten, for the owner to fill: where they start, or -1 (no room). */
  keep(n: number): number {
    const buffer = this.#memory();
    if (this.#at + n > buffer.length) return -1;
    const start = this.#at;
    this.#at += n;
    return start;
  }

  /** Everything encoded has been copied out: the memory serves again. */
  reset(): void {
    this.#at = this.#lead;
  }

  /**
   * Gives the memory away whole (a thread sends it, output and all) and starts again in `next`
   * (memory that came back, warm), or in fresh memory when there is none.
   */
  swap(next: ArrayBuffer | null): ArrayBuffer | null {
    const given = this.#buffer?.buffer as ArrayBuffer | undefined;
    this.#buffer = next === null ? null : Buffer.from(next);
    this.#at = this.#lead;
    return given ?? null;
  }

  #memory(): Buffer {
    this.#buffer ??= Buffer.allocUnsafeSlow(SIZE);
    return this.#buffer;
  }
}
