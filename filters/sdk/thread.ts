import { isMainThread, type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { FROM_WORKER_HEADER } from '../protocol.js';
import { type FromThread, SERVING, THREAD_MARK, type ToThread } from '../transfer.js';
import type { FilterIO } from './protocol.js';

/** Output gathered past this many bytes goes to manifold at once, not at the block's end. */
const POST_AT = 1024 * 1024;
/** The most output bytes in one piece: below malloc's threshold for a mapping of its own. */
const PIECE = 64 * 1024 - 2 * FROM_WORKER_HEADER;
const HEADER = FROM_WORKER_HEADER;

/**
 * The port to manifold when this filter runs as one of `manifold fan --threads`' workers (a
 * worker thread whose `workerData` carries manifold's mark), else null: a filter run as a
 * process, or in a thread of some other program, reads stdin as always.
 */
export function threadPort(): MessagePort | null {
  if (isMainThread || parentPort === null) return null;
  const data = workerData as Record<string, unknown> | null | undefined;
  return data?.[THREAD_MARK] === true ? parentPort : null;
}

/** Claims the thread for this filter: one filter serves a thread's blocks. */
export function claimThread(name: string): void {
  const global = globalThis as { [SERVING]?: string };
  if (global[SERVING] !== undefined) {
    throw new UsageError(
      `${name}: this thread already serves ${global[SERVING]}: a module run with --threads runs one filter`,
    );
  }
  global[SERVING] = name;
}

/**
 * A filter's input and output over the port to manifold. Blocks arrive as transferred
 * ArrayBuffers, each one message of the block protocol; a block's buffer goes back to manifold
 * for the next block once nothing holds it (`release`). Output leaves in pieces of at most
 * PIECE bytes, each a whole protocol message in memory of its own: small buffers come cheap
 * from malloc, where fresh large ones cost a page fault per 4 KiB, and a whole message per
 * piece lets manifold read it without joining pieces. A block's output goes when the filter
 * asks for the next block, with the count of blocks done: manifold then knows what is still
 * waiting for this thread.
 */
export class PortIO implements FilterIO {
  readonly #port: MessagePort;
  readonly #queue: ToThread[] = [];
  #wake: (() => void) | null = null;
  #taken = 0;
  #pending: ArrayBuffer[] = [];
  #pendingBytes = 0;
  #returned: ArrayBuffer[] = [];
  /** The count of blocks done that manifold was last told. */
  #told = 0;
  readonly #onMessage = (message: ToThread) => {
    this.#queue.push(message);
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  };

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', this.#onMessage);
  }

  async *chunks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        // Asking for the next block means the one before is done: its output goes now.
        this.#post(this.#taken);
        while (this.#queue.length === 0) await new Promise<void>((r) => (this.#wake = r));
        const message = this.#queue.shift()!;
        if (message.kind === 'end') return;
        this.#taken++;
        yield Buffer.from(message.buffer, 0, message.length);
      }
    } finally {
      this.#port.off('message', this.#onMessage);
    }
  }

  release(chunk: Buffer): void {
    this.#returned.push(chunk.buffer as ArrayBuffer);
  }

  async send(block: number, parts: Buffer[], end: boolean): Promise<void> {
    let left = 0;
    for (const part of parts) left += part.length;
    if (left === 0 && !end) return;
    let part = 0;
    let offset = 0;
    do {
      const length = Math.min(left, PIECE);
      left -= length;
      // The block's end closes its last piece; an empty block's is a piece of its own.
      const closing = end && left === 0 && length > 0;
      const piece = Buffer.allocUnsafeSlow(HEADER + length + (closing ? HEADER : 0));
      piece.writeUInt32BE(block, 0);
      piece.writeUInt32BE(length, 4);
      for (let at = HEADER; at < HEADER + length; ) {
        const source = parts[part]!;
        const n = Math.min(source.length - offset, HEADER + length - at);
        piece.set(n === source.length ? source : source.subarray(offset, offset + n), at);
        at += n;
        offset += n;
        if (offset === source.length) {
          part++;
          offset = 0;
        }
      }
      if (closing) {
        piece.writeUInt32BE(block, HEADER + length);
        piece.writeUInt32BE(0, HEADER + length + 4);
      }
      this.#pending.push(piece.buffer as ArrayBuffer);
      this.#pendingBytes += piece.length;
    } while (left > 0);
    // A block's output may be large: what is gathered goes before the block ends.
    if (this.#pendingBytes >= POST_AT) this.#post(this.#taken - 1);
  }

  async close(): Promise<void> {
    this.#post(this.#taken);
  }

  /** Sends the output gathered, and that `finished` blocks are done (sent even with no output). */
  #post(finished: number): void {
    if (this.#pending.length === 0 && finished <= this.#told) return;
    this.#told = Math.max(finished, this.#told);
    const buffers = this.#pending;
    const returned = this.#returned;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#returned = [];
    const message: FromThread = { kind: 'output', buffers, returned, finished: this.#told };
    this.#port.postMessage(message, [...buffers, ...returned]);
  }
}
