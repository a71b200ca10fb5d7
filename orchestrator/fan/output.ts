import { EventEmitter } from 'node:events';
import { closeSync, fstatSync, writev } from 'node:fs';
import { Socket } from 'node:net';
import { unwritten } from '../../filters/sdk/io.js';

const IOV_MAX = 1024;

/**
 * manifold's stdout, written without ever blocking the event loop, so that a signal is still
 * handled while a slow reader holds us up. A pipe or socket is driven by libuv as a
 * non-blocking stream; a file or terminal is written through the thread pool one batch at a
 * time. Past `highWater` queued bytes, `full` tells producers to pause.
 * Events: 'drain' when below the mark again, 'closed' when the reader went away (EPIPE),
 * 'error' for any other failure.
 */
export function createOutputSink(fd = 1, highWater = 8 * 1024 * 1024): OutputSink | StreamSink {
  const stat = fstatSync(fd);
  return stat.isFIFO() || stat.isSocket()
    ? new StreamSink(fd, highWater)
    : new OutputSink(fd, highWater);
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
    if (this.#closed) return;
    this.#socket.cork();
    for (const part of parts) this.#socket.write(part);
    this.#socket.uncork();
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

/** stdout as a file descriptor written through the thread pool: for files and terminals. */
export class OutputSink extends EventEmitter {
  readonly #fd: number;
  readonly #highWater: number;
  #queue: Buffer[] = [];
  #queued = 0;
  #writing = false;
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(fd = 1, highWater = 8 * 1024 * 1024) {
    super();
    this.#fd = fd;
    this.#highWater = highWater;
  }

  get full(): boolean {
    return this.#queued >= this.#highWater;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(parts: Buffer[]): void {
    if (this.#closed) return;
    for (const part of parts) {
      if (part.length === 0) continue;
      this.#queue.push(part);
      this.#queued += part.length;
    }
    this.#flush();
  }

  /** Closes the descriptor, so the reader sees the end (not for manifold's own stdout). */
  close(): void {
    closeSync(this.#fd);
  }

  /** Resolves when everything queued has been written (or the output closed). */
  async finish(): Promise<void> {
    if (!this.#writing && this.#queue.length === 0) return;
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  #flush(): void {
    if (this.#writing || this.#closed || this.#queue.length === 0) return;
    const batch = this.#queue.length > IOV_MAX ? this.#queue.splice(0, IOV_MAX) : this.#queue;
    if (batch === this.#queue) this.#queue = [];
    this.#writing = true;
    writev(this.#fd, batch, (error, bytes) => {
      this.#writing = false;
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        this.#closed = true;
        this.#queue = [];
        this.#queued = 0;
        if (code === 'EPIPE' || code === 'ECONNRESET') this.emit('closed');
        else this.emit('error', error);
        this.#wake();
        return;
      }
      const wasFull = this.full;
      this.#queued -= bytes;
      const rest = unwritten(batch, bytes);
      if (rest.length > 0) this.#queue.unshift(...rest);
      if (wasFull && !this.full) this.emit('drain');
      if (this.#queue.length > 0) this.#flush();
      else this.#wake();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
