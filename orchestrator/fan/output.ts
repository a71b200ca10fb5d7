import { EventEmitter } from 'node:events';
import { closeSync, fstatSync, writev } from 'node:fs';
import { Socket } from 'node:net';
import { unwritten } from '../../filters/sdk/io.js';
import { wroteParts } from '../workers/lent.js';

const IOV_MAX = 1024;

/**
 * Output parts shorter than this are copied, as they are queued, into one buffer (`GATHER`
 * bytes) that goes out as one part: a worker's output tied to tiny blocks (`--block 16`) comes
 * as a part per block, and each part queued cost a Buffer of ~100 bytes for its 7 or 16 (230,000
 * of them held 24 MB while the output's reader kept up), and a writev of 1024 of them moved
 * only a few KiB. Longer parts are queued as they are: copying them costs more than their view.
 */
const SMALL_PART = 512;
const GATHER = 64 * 1024;

/**
 * Writes handed to the thread pool and not yet returned, in every sink of this process, that may
 * wait for a reader: of a pipe or a terminal. A regular file's write ends of itself.
 */
let writesInFlight = 0;

/**
 * True while a write of stdout waits in the thread pool, perhaps for a reader that is not
 * reading: Node's exit would then wait for it, for ever (libuv joins its threads on exit). Not
 * for a regular file: exiting waits for its write, which ends.
 */
export function writeInFlight(): boolean {
  return writesInFlight > 0;
}

/**
 * manifold's stdout, written without ever blocking the event loop, so that a signal is still
 * handled while a slow reader holds us up. Past `highWater` queued bytes, `full` tells producers
 * to pause. Files, terminals and a pipe that is manifold's own stdout are written through the
 * thread pool, a batch at a time: a blocking `writev` of many chunks lets the kernel hand the
 * pipe's reader 64 KiB after 64 KiB with no trip through the event loop in between, ~25% faster
 * than libuv's non-blocking writes for `manifold fan ... | next` (docs/performance.md). Other
 * pipes (between nodes of a pipeline run in this process) and sockets are libuv streams: each
 * blocked write would hold one of the pool's four threads.
 * Events: 'drain' when below the mark again, 'closed' when the reader went away (EPIPE),
 * 'error' for any other failure.
 */
export function createOutputSink(fd = 1, highWater = 8 * 1024 * 1024): OutputSink | StreamSink {
  const stat = fstatSync(fd);
  return stat.isSocket() || (stat.isFIFO() && fd !== 1)
    ? new StreamSink(fd, highWater)
    : new OutputSink(fd, highWater, stat.isFIFO());
}

/** stdout as a libuv stream: for pipes and sockets. */
export class StreamSink extends EventEmitter {
  readonly #socket: Socket;
  readonly #highWater: number;
  #closed = false;

  constructor(fd: number, highWater: number) {
    super();
    this.#highWater = highWater;
    this.#socket = new Socket({ fd, readable: false, writable: true });
    this.#socket.on('drain', () => this.emit('drain'));
    this.#socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.#closed) return;
      this.#closed = true;
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') this.emit('closed');
      else this.emit('error', error);
    });
  }

  get full(): boolean {
    return this.#socket.writableLength >= this.#highWater;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(parts: Buffer[]): void {
    if (this.#closed || parts.length === 0) return;
    const socket = this.#socket;
    // Write callbacks come in order: at the last part's, all of them are out, and the memory a
    // transport lent for them goes back (`lent.ts`) to be read into again. Left to the garbage
    // collector, which V8 runs once some 64 MB more of it is garbage, a slow reader of a socket
    // saw manifold's memory grow from 90 MB to 150 MB, and now and then past 200 MB.
    const written = parts.slice();
    const last = written.length - 1;
    socket.cork();
    for (let i = 0; i < last; i++) socket.write(written[i]);
    socket.write(written[last], (error) => {
      if (error == null) wroteParts(written, Number.POSITIVE_INFINITY);
    });
    socket.uncork();
  }

  /** Closes the descriptor, so the reader sees the end (not for manifold's own stdout). */
  close(): void {
    this.#socket.destroySoon();
  }

  /**
   * Resolves when everything written so far is out (or the output closed). Not by waiting for
   * 'drain', which comes only after a write that was refused: an empty write's callback comes
   * after every write before it.
   */
  async finish(): Promise<void> {
    if (this.#closed || this.#socket.writableLength === 0) return;
    await new Promise<void>((resolve) => {
      this.#socket.write(Buffer.alloc(0), () => resolve());
      this.once('closed', resolve);
      this.once('error', resolve);
    });
  }
}

/**
 * stdout as a file descriptor written through the thread pool: for files, terminals and
 * manifold's own stdout when it is a pipe. Should the pipe have been left non-blocking by
 * whoever opened it (the write fails with EAGAIN), the rest goes through a libuv stream.
 */
export class OutputSink extends EventEmitter {
  readonly #fd: number;
  readonly #highWater: number;
  #queue: Buffer[] = [];
  #queued = 0;
  /** Where small parts are copied (`SMALL_PART`), its bytes from `#gatherStart` not yet queued. */
  #gather: Buffer | null = null;
  #gatherStart = 0;
  #gathered = 0;
  #writing = false;
  #closed = false;
  #waiters: (() => void)[] = [];
  /** A pipe, which a libuv stream can take over (it cannot take a file or a terminal). */
  readonly #pipe: boolean;
  /** Not a regular file: a write may wait for a reader (`writeInFlight`). */
  readonly #readerPaced: boolean;
  /** Set once a write of the pipe would have blocked: everything from then on goes through it. */
  #stream: StreamSink | null = null;

  constructor(fd = 1, highWater = 8 * 1024 * 1024, pipe = false) {
    super();
    this.#fd = fd;
    this.#highWater = highWater;
    this.#pipe = pipe;
    this.#readerPaced = !fstatSync(fd).isFile();
  }

  get full(): boolean {
    return this.#stream?.full ?? this.#queued >= this.#highWater;
  }

  get closed(): boolean {
    return this.#stream?.closed ?? this.#closed;
  }

  write(parts: Buffer[]): void {
    if (this.#stream !== null) {
      this.#stream.write(parts);
      return;
    }
    if (this.#closed) return;
    for (const part of parts) {
      if (part.length === 0) continue;
      this.#queued += part.length;
      if (part.length < SMALL_PART) {
        this.#copy(part);
      } else {
        this.#queueGathered();
        this.#queue.push(part);
      }
    }
    this.#flush();
  }

  /** Copies a small part after those gathered so far; its own memory is free at once. */
  #copy(part: Buffer): void {
    if (this.#gather === null || this.#gathered + part.length > this.#gather.length) {
      this.#queueGathered();
      this.#gather = Buffer.allocUnsafeSlow(GATHER);
      this.#gatherStart = 0;
      this.#gathered = 0;
    }
    part.copy(this.#gather, this.#gathered);
    this.#gathered += part.length;
    // Memory a transport lent for it goes back (`lent.ts`): its bytes are out of it.
    wroteParts([part], part.length);
  }

  /** The bytes gathered since the last time go into the queue, after what is there, as one part. */
  #queueGathered(): void {
    if (this.#gather === null || this.#gathered === this.#gatherStart) return;
    this.#queue.push(this.#gather.subarray(this.#gatherStart, this.#gathered));
    this.#gatherStart = this.#gathered;
  }

  /** Closes the descriptor, so the reader sees the end (not for manifold's own stdout). */
  close(): void {
    if (this.#stream !== null) this.#stream.close();
    else closeSync(this.#fd);
  }

  /** Resolves when everything queued has been written (or the output closed). */
  async finish(): Promise<void> {
    this.#queueGathered();
    if (!this.#writing && this.#queue.length === 0) return this.#stream?.finish();
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.#stream?.finish();
  }

  #flush(): void {
    if (this.#writing || this.#closed) return;
    this.#queueGathered();
    if (this.#queue.length === 0) return;
    const batch = this.#queue.length > IOV_MAX ? this.#queue.splice(0, IOV_MAX) : this.#queue;
    if (batch === this.#queue) this.#queue = [];
    this.#writing = true;
    const paced = this.#readerPaced;
    if (paced) writesInFlight++;
    writev(this.#fd, batch, (error, bytes) => {
      this.#writing = false;
      if (paced) writesInFlight--;
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' && this.#pipe) {
          this.#toStream(batch);
          return;
        }
        this.#closed = true;
        this.#queue = [];
        this.#gather = null;
        this.#queued = 0;
        if (code === 'EPIPE' || code === 'ECONNRESET') this.emit('closed');
        else this.emit('error', error);
        this.#wake();
        return;
      }
      const wasFull = this.full;
      this.#queued -= bytes;
      // Memory a transport lent (a thread's output) goes back once all of it is out.
      wroteParts(batch, bytes);
      const rest = unwritten(batch, bytes);
      if (rest.length > 0) this.#queue.unshift(...rest);
      if (wasFull && !this.full) this.emit('drain');
      this.#queueGathered();
      if (this.#queue.length > 0) this.#flush();
      else this.#wake();
    });
  }

  /** The descriptor is non-blocking: hands what is queued, `batch` first, to a libuv stream. */
  #toStream(batch: Buffer[]): void {
    this.#queueGathered();
    this.#gather = null;
    const stream = new StreamSink(this.#fd, this.#highWater);
    for (const event of ['drain', 'closed', 'error']) {
      stream.on(event, (...args: unknown[]) => this.emit(event, ...args));
    }
    this.#stream = stream;
    const queued = [...batch, ...this.#queue];
    this.#queue = [];
    this.#queued = 0;
    stream.write(queued);
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
