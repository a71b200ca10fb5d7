import type { TextMemory } from '../../filters/framing/encoder.js';
import { copyBytes } from '../../filters/framing/view.js';
import { LentPool } from '../workers/lent.js';

/** About what the merge hands on at a time: a batch is taken once this much waits in it. */
export const BATCH_BYTES = 256 * 1024;
/** Records up to this size are copied into a batch; larger ones go out as parts of their own. */
const MAX_COPIED = 64 * 1024;
/** A batch's memory holds a batch's worth and one more copied record; 8 kept for reuse. */
const pool = new LentPool(BATCH_BYTES + MAX_COPIED, 8);

/**
 * Memory a merge copies its output records into, a batch at a time, so that thousands of short
 * records go to the writer as one Buffer rather than two parts each (the record and its
 * delimiter): on 8-byte lines the parts were a fifth of the merge's time. A batch taken is lent
 * to the sink (`workers/lent.ts`) and used again once written, never before: fresh memory would
 * cost a page fault per 4 KiB. `renew` after each take of the encoder.
 */
export class BatchMemory implements TextMemory {
  #buffer: Buffer | null = null;
  #at = 0;

  get buffer(): Buffer | null {
    return this.#buffer;
  }

  encode(text: string): Buffer {
    return Buffer.from(text, 'utf8');
  }

  append(record: Uint8Array, delimiter: Uint8Array): number {
    const end = this.#at + record.length + delimiter.length;
    if (record.length > MAX_COPIED || end > BATCH_BYTES + MAX_COPIED) return -1;
    this.#buffer ??= pool.take();
    const start = this.#at;
    copyBytes(this.#buffer, start, record, 0, record.length);
    copyBytes(this.#buffer, end - delimiter.length, delimiter, 0, delimiter.length);
    this.#at = end;
    return start;
  }

  /** What was copied has been taken: lent to the sink; the next record goes into other memory. */
  renew(): void {
    if (this.#at === 0) return;
    pool.lend(this.#buffer!, this.#at);
    this.#buffer = null;
    this.#at = 0;
  }
}
