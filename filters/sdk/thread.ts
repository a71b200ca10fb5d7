import { isMainThread, type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { type FromThread, ownedCopy, SERVING, THREAD_MARK, type ToThread } from '../transfer.js';
import type { FilterIO } from './protocol.js';

/** Output gathered past this many bytes goes to manifold at once, not at the block's end. */
const POST_AT = 1024 * 1024;

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
 * A filter's input and output over the port to manifold: blocks arrive as transferred
 * ArrayBuffers (each one message of the block protocol), and output leaves the same way, copied
 * once into a buffer of its own. Each block's output goes in one message, with the count of
 * blocks done, when the filter asks for the next block: manifold then knows what is still
 * waiting for this thread.
 */
export class PortIO implements FilterIO {
  readonly #port: MessagePort;
  readonly #queue: ToThread[] = [];
  #wake: (() => void) | null = null;
  #taken = 0;
  #pending: ArrayBuffer[] = [];
  #pendingBytes = 0;
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
        yield Buffer.from(message.buffer);
      }
    } finally {
      this.#port.off('message', this.#onMessage);
    }
  }

  async write(parts: Buffer[]): Promise<void> {
    let bytes = 0;
    for (const part of parts) bytes += part.length;
    if (bytes === 0) return;
    this.#pending.push(ownedCopy(parts, bytes).buffer as ArrayBuffer);
    this.#pendingBytes += bytes;
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
    this.#pending = [];
    this.#pendingBytes = 0;
    const message: FromThread = { kind: 'output', buffers, finished: this.#told };
    this.#port.postMessage(message, buffers);
  }
}
