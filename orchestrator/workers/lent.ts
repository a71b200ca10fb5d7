/**
 * Output memory a transport lends to the fan and wants back once it has been written: a thread
 * worker's output arrives in a buffer the thread filled, and that buffer, given back, carries the
 * next block to a thread (a fresh buffer costs a page fault per 4 KiB; a used one, a copy).
 *
 * A transport lends a buffer with the count of its bytes the fan will be handed as output (its
 * payload, frames not counted); the sink that writes the output says what it wrote
 * (`wroteParts`), and once that many bytes of the buffer are out, the buffer comes back. Output
 * that is not written as it came (copied by a merge, spilled, tagged, dropped with a failed
 * block, written to a Writable given to the library) never adds up: the buffer is then simply
 * not given back, and the garbage collector frees it as any other. So a buffer comes back late
 * or never, but never while a view of it still waits to be written.
 */
interface Loan {
  left: number;
  back: (buffer: ArrayBuffer) => void;
}

const loans = new WeakMap<ArrayBuffer, Loan>();
let lent = 0;

/**
 * Lends `buffer`, of which `bytes` bytes will be handed out as output; `back` is called once
 * they have all been written (at once when `bytes` is 0). A buffer lent already lends `bytes`
 * more, on the same loan: a reader filling a buffer a read at a time lends each read, and holds
 * the loan open meanwhile with a byte it pays back itself (`repay`) once it stops filling it.
 */
export function lend(
  buffer: ArrayBuffer,
  bytes: number,
  back: (buffer: ArrayBuffer) => void,
): void {
  const loan = loans.get(buffer);
  if (loan !== undefined) {
    loan.left += bytes;
    return;
  }
  if (bytes <= 0) {
    back(buffer);
    return;
  }
  loans.set(buffer, { left: bytes, back });
  lent++;
}

/** Settles `bytes` of `buffer`'s loan that were not handed out as output (a reader's hold). */
export function repay(buffer: ArrayBuffer, bytes: number): void {
  const loan = loans.get(buffer);
  if (loan === undefined) return;
  loan.left -= bytes;
  if (loan.left > 0) return;
  loans.delete(buffer);
  lent--;
  loan.back(buffer);
}

/** `parts` were handed to a write of which the first `bytes` bytes are out (in order). */
export function wroteParts(parts: readonly Buffer[], bytes: number): void {
  if (lent === 0) return;
  let left = bytes;
  for (const part of parts) {
    if (left <= 0) return;
    const n = Math.min(part.length, left);
    left -= n;
    const loan = loans.get(part.buffer as ArrayBuffer);
    if (loan === undefined) continue;
    loan.left -= n;
    if (loan.left > 0) continue;
    loans.delete(part.buffer as ArrayBuffer);
    lent--;
    loan.back(part.buffer as ArrayBuffer);
  }
}

/**
 * Buffers of one size that are lent to the sink and, once written, kept for the next use (at
 * most `kept` of them; more are left to the garbage collector): a fresh buffer costs a page
 * fault per 4 KiB.
 */
export class LentPool {
  readonly #size: number;
  readonly #kept: number;
  readonly #free: ArrayBuffer[] = [];

  constructor(size: number, kept: number) {
    this.#size = size;
    this.#kept = kept;
  }

  /** A buffer of the pool's size: one written out before, or fresh. */
  take(): Buffer {
    const memory = this.#free.pop();
    return memory === undefined ? Buffer.allocUnsafeSlow(this.#size) : Buffer.from(memory);
  }

  /** Lends `buffer` (from `take`), of which `bytes` bytes will be handed out (`lend`). */
  lend(buffer: Buffer, bytes: number): void {
    lend(buffer.buffer as ArrayBuffer, bytes, this.#back);
  }

  readonly #back = (memory: ArrayBuffer): void => {
    // Not one whose memory was given away (transferred to a thread: it is empty then).
    if (this.#free.length < this.#kept && memory.byteLength === this.#size) this.#free.push(memory);
  };
}
