import { isMainThread, type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { FROM_WORKER_HEADER } from '../protocol.js';
import {
  type FromThread,
  OUTPUT_WINDOW,
  runBytes,
  SERVING,
  TAKES_USAGE_ERRORS,
  TELLS_TAKEN,
  THREAD_MARK,
  THREAD_PROTOCOL,
  type ToThread,
} from '../transfer.js';
import { manifoldVersion } from './cli.js';
import { heapCap } from './heap.js';
import type { FilterIO } from './protocol.js';
import { Scratch } from './scratch.js';
import { addRun, frameInPieces, type Segment, writeHeader } from './thread-frames.js';

/** Output gathered past this many bytes goes to manifold at once, not at the block's end. */
const POST_AT = 1024 * 1024;
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

/**
 * The port to manifold when its thread takes the filter's usage error as a message, to show
 * each distinct one once for all its threads; else null (the error goes to stderr).
 */
export function usageErrorPort(): MessagePort | null {
  const port = threadPort();
  const data = workerData as Record<string, unknown>;
  return port !== null && data[TAKES_USAGE_ERRORS] === true ? port : null;
}

/** Claims the thread for this filter: one filter serves a thread's blocks. */
export function claimThread(name: string): void {
  const global = globalThis as { [SERVING]?: string };
  if (global[SERVING] !== undefined) {
    throw new UsageError(
      `main() called again in a thread that serves ${global[SERVING]}: a module run with --threads runs one filter, once`,
    );
  }
  global[SERVING] = name;
}

/**
 * A filter's input and output over the port to manifold. Blocks arrive as transferred
 * ArrayBuffers, each one message of the block protocol. Output text is encoded into memory of
 * the thread's own (`memory`), with room kept before each block's output for its message header
 * and after it for the block's end, so a block's output is framed where it was encoded. When the
 * filter asks for the next block, the output gathered goes to manifold with the count of blocks
 * done (manifold then knows what still waits for this thread): the output memory itself moves,
 * with no copy, when the block just done left its buffer free for the filter (`release`: text
 * and JSON records are copies, and a filter with `keepsRecords: false` holds no Buffer record),
 * and that buffer takes the output of the blocks to come. Otherwise, and for output not framed
 * where it lies, output leaves in pieces of at most 64 KiB (thread-frames.ts), each a whole
 * protocol message in memory of its own, and a buffer released goes back to
 * manifold's pool. Either way manifold gives the memory back to its pool once the output is
 * written (orchestrator/workers/lent.ts), so blocks and output circulate.
 *
 * Output sent and not yet taken by manifold (`taken`) is at most `OUTPUT_WINDOW` bytes, as a
 * pipe holds at most so much: past it, the filter's next output waits. Manifold takes output as
 * its reader takes it, so a stalled reader stops the filter, however much output a block makes.
 */
export class PortIO implements FilterIO {
  /** Output text is encoded here, a message header's room first; sent whole, or copied out. */
  readonly memory = new Scratch(HEADER);
  readonly heapCap = heapCap();
  readonly #port: MessagePort;
  readonly #queue: Exclude<ToThread, { kind: 'taken' }>[] = [];
  #wake: (() => void) | null = null;
  #taken = 0;
  /** The count of blocks done that manifold was last told. */
  #told = 0;
  #segments: Segment[] = [];
  #pendingBytes = 0;
  /** Where the header of the next output framed in place goes in `memory` (its lead); -1: no room. */
  #head = 0;
  /** The buffer of the block being read; once released, free for output or to go back. */
  #input: ArrayBuffer | null = null;
  #free: ArrayBuffer | null = null;
  #returned: ArrayBuffer[] = [];
  /** Manifold says what it has taken of the output (`TELLS_TAKEN`): the filter waits for it. */
  readonly #waits: boolean;
  /** Output bytes sent and not yet taken, when the filter waits for manifold to take them. */
  #onTheWay = 0;
  #room: (() => void) | null = null;
  readonly #onMessage = (message: ToThread) => {
    if (message.kind === 'taken') {
      this.#onTheWay -= message.bytes;
      const room = this.#room;
      this.#room = null;
      room?.();
      return;
    }
    this.#queue.push(message);
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  };

  /** `flush`: the filter has one (its greeting says so: filters/transfer.ts). */
  constructor(port: MessagePort, flush = false) {
    this.#port = port;
    this.#waits = (workerData as Record<string, unknown> | null)?.[TELLS_TAKEN] === true;
    port.on('message', this.#onMessage);
    // Before anything else, as a process greets: manifold refuses a protocol it does not speak.
    const greeting: FromThread = {
      kind: 'greeting',
      protocol: THREAD_PROTOCOL,
      sdk: manifoldVersion(),
      ...(this.#waits ? { waitsForTaken: true } : {}),
      ...(flush ? { flush } : {}),
    };
    port.postMessage(greeting);
  }

  async *chunks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        // Asking for the next block means the one before is done: its output goes now.
        this.#post(this.#taken);
        // The link to manifold keeps the thread alive only while it waits for a block: while
        // the filter's own code is awaited, a promise that nothing is left to settle lets the
        // event loop run out, and fails the filter as it fails a process (stray.ts).
        this.#port.ref();
        while (this.#queue.length === 0) await new Promise<void>((r) => (this.#wake = r));
        this.#port.unref();
        const message = this.#queue.shift()!;
        if (message.kind === 'end') return;
        this.#taken++;
        this.#input = message.buffer;
        yield Buffer.from(message.buffer, 0, message.length);
      }
    } finally {
      // Output sent at the end (flush's) may still wait to be taken: heard until `close`.
      if (!this.#waits) this.#port.off('message', this.#onMessage);
    }
  }

  release(chunk: Buffer): void {
    const buffer = chunk.buffer as ArrayBuffer;
    if (buffer === this.#input) {
      this.#free = buffer;
      this.#input = null;
    } else {
      this.#returned.push(buffer);
    }
  }

  async send(block: number, parts: Buffer[], end: boolean): Promise<void> {
    let bytes = 0;
    for (const part of parts) bytes += part.length;
    if (bytes === 0 && !end) return;
    const segment: Segment = { block, parts, bytes, end, start: -1, stop: -1 };
    this.#frameInPlace(segment);
    this.#segments.push(segment);
    this.#pendingBytes += bytes;
    // A block's output may be large: what is gathered goes before the block ends (at its end,
    // it goes when the next block is asked for).
    if (!end && this.#pendingBytes >= POST_AT) this.#post(this.#taken - 1);
    // As a full pipe blocks a process's write: the link keeps the thread alive meanwhile.
    if (this.#onTheWay < OUTPUT_WINDOW) return;
    this.#port.ref();
    while (this.#onTheWay >= OUTPUT_WINDOW) await new Promise<void>((r) => (this.#room = r));
    this.#port.unref();
  }

  async close(): Promise<void> {
    this.#post(this.#taken);
    this.#port.off('message', this.#onMessage);
  }

  async sendNow(): Promise<void> {
    this.#post(this.#taken - 1);
  }

  /**
   * Frames `segment` where its bytes lie, when they lie one after another in `memory` right
   * after the room kept for its header, with room after them for the block's end: its header
   * written before and its end after, it is then one run of whole messages in the memory.
   */
  #frameInPlace(segment: Segment): void {
    const memory = this.memory;
    const buffer = memory.buffer;
    const head = this.#head;
    if (buffer === null || head < 0 || head + HEADER > buffer.length) return;
    let at = head + HEADER;
    for (const part of segment.parts) {
      if (part.buffer !== buffer.buffer || part.byteOffset !== buffer.byteOffset + at) break;
      at += part.length;
    }
    const whole = at - head - HEADER === segment.bytes && memory.at === at;
    if (!whole) {
      // Bytes encoded elsewhere, or not all: copied out when sent. Room is kept again for the
      // next header after whatever the memory holds now.
      if (memory.at !== head + HEADER) this.#head = memory.keep(HEADER);
      return;
    }
    const { block, bytes, end } = segment;
    let stop: number;
    if (bytes === 0) {
      stop = writeHeader(buffer, head, block, 0);
    } else {
      if (end && memory.keep(HEADER) < 0) {
        this.#head = -1;
        return;
      }
      stop = writeHeader(buffer, head, block, bytes) + bytes;
      if (end) stop = writeHeader(buffer, stop, block, 0);
    }
    segment.start = head;
    segment.stop = stop;
    this.#head = memory.keep(HEADER);
  }

  /** Sends the output gathered, and that `finished` blocks are done (sent even with no output). */
  #post(finished: number): void {
    const segments = this.#segments;
    const free = this.#free;
    if (segments.length === 0 && finished <= this.#told && free === null) return;
    this.#told = Math.max(finished, this.#told);
    this.#segments = [];
    this.#pendingBytes = 0;
    this.#free = null;
    const memory = this.memory.buffer?.buffer as ArrayBuffer | undefined;
    // The output memory moves whole when a buffer is free to take its place; else what was
    // framed in it is copied out, and it serves again.
    const moves = free !== null && segments.some((segment) => segment.start >= 0);
    const buffers: ArrayBuffer[] = [];
    const runs: number[] = [];
    for (const segment of segments) {
      if (moves && segment.start >= 0) addRun(buffers, runs, memory!, segment.start, segment.stop);
      else frameInPieces(segment, buffers, runs);
    }
    if (moves) {
      this.memory.swap(free);
    } else {
      this.memory.reset();
      // A block's buffer larger than the memory (one that a small block's output left) takes
      // its place: output that did not fit may fit there next time.
      const current = this.memory.buffer;
      if (free !== null && current !== null && free.byteLength > current.length) {
        this.#returned.push(this.memory.swap(free)!);
      } else if (free !== null) {
        this.#returned.push(free);
      }
    }
    this.#head = 0;
    const returned = this.#returned;
    this.#returned = [];
    const message: FromThread = {
      kind: 'output',
      buffers,
      runs,
      returned,
      finished: this.#told,
    };
    if (this.#waits) this.#onTheWay += runBytes(runs);
    this.#port.postMessage(message, [...buffers, ...returned]);
  }
}
