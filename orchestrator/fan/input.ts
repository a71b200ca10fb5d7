import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  openSync,
  read,
  statSync,
} from 'node:fs';
import type { Readable } from 'node:stream';
import { wroteParts } from '../workers/lent.js';
import { poolReads, ReadBuffers, socketReads } from '../workers/reads.js';
import { sizeInputPipe } from '../workers/registry.js';
import { gathered } from './gather.js';
import { holdsItsSize, inputName, nonBlocking, offsetOf, openFile } from './input-fd.js';
import { fileChanged, type RangeFile, readAt } from './range-file.js';

/** Reads of a device, through a stream. */
const READ_SIZE = 256 * 1024;

/** A caller's stream yields to the event loop at least once in this many bytes. */
const TURN_BYTES = 1 << 20;

/**
 * The input as chunks: each file in order, or a file descriptor (stdin, or a pipe from an
 * earlier stage). Regular files, pipes and sockets are read up to 1 MiB at a time into memory
 * used again once the bytes are taken (`ReadBuffers`; blocks keep views of it); a device is read
 * as a stream. `wait` is called before each read, so the caller can hold reading while its
 * queues are full; `close` ends reading early.
 */
export class InputReader {
  readonly #inputs: string[] | null;
  readonly #fd: number;
  /** `#fd`'s name in messages: `stdin`, a pipeline's input file, or `input`. */
  readonly #fdName: string;
  /** A stream given by the library's caller, read before `inputs` and `fd`. */
  readonly #given: Readable | undefined;
  #stream: Readable | null = null;
  #closed = false;
  /** The --input being opened, while its open may be waiting. */
  #opening: string | null = null;
  #close!: (value: null) => void;
  readonly #whenClosed = new Promise<null>((resolve) => {
    this.#close = resolve;
  });

  /** Whether a pipe is read by blocking reads on the thread pool (`FanOptions.inputOffThread`). */
  readonly #offThread: boolean;

  /**
   * Whether what is being read (or opened) now is not a regular file: a pipe, a socket, a
   * terminal, a named pipe waiting for its writer, a caller's stream. Such input may pause, and
   * what was read of it is passed on then (`pausedBefore` in reading.ts); a regular file's late
   * read, or the next file's late open, is no pause.
   */
  #mayPause = false;

  constructor(
    inputs: string[] | null,
    fd = 0,
    stream?: Readable,
    { offThread = false, name }: { offThread?: boolean; name?: string | undefined } = {},
  ) {
    this.#inputs = inputs;
    this.#fd = fd;
    this.#fdName = inputName(null, fd, undefined, name);
    this.#given = stream;
    this.#offThread = offThread;
  }

  /** Whether the input being read (or opened) now may pause: it is not a regular file. */
  get mayPause(): boolean {
    return this.#mayPause;
  }

  async *chunks(wait: () => Promise<void>): AsyncGenerator<Buffer> {
    if (this.#given !== undefined) {
      this.#mayPause = true;
      yield* this.#readStream(this.#given, wait, true);
      return;
    }
    if (this.#inputs !== null) {
      for (const name of this.#inputs) {
        if (this.#closed) return;
        // `-` among files is stdin, read in its place (`cat a -`).
        if (name === '-') {
          yield* this.#readStdin(wait);
          continue;
        }
        // Opened off the main thread: a named pipe's open waits for its writer, which may never
        // come. Being closed ends the wait (see `close`); the late descriptor is closed at once.
        this.#opening = name;
        this.#mayPause = !isRegularFile(name);
        const opening = openFile(name);
        const fd = await Promise.race([opening, this.#whenClosed]);
        this.#opening = null;
        if (fd === null) {
          opening.then(closeSync, () => {});
          return;
        }
        this.#mayPause = !fstatSync(fd).isFile();
        if (!this.#mayPause) {
          try {
            yield* this.#readFile(fd, wait, name, false);
          } finally {
            closeSync(fd);
          }
        } else {
          yield* this.#readDescriptor(fd, wait, true);
        }
      }
      return;
    }
    yield* this.#readStdin(wait);
  }

  /** stdin (or an earlier stage's pipe): a file from its offset, else as a stream. */
  async *#readStdin(wait: () => Promise<void>): AsyncGenerator<Buffer> {
    this.#mayPause = !fstatSync(this.#fd).isFile();
    if (!this.#mayPause) {
      yield* this.#readFile(this.#fd, wait, this.#fdName, true);
      return;
    }
    yield* this.#readDescriptor(this.#fd, wait);
  }

  /**
   * The input as one regular file, opened, when it is one: a single --input, or a file on stdin
   * (read from its offset, which Linux shows in /proc); else null, and `chunks` reads it.
   */
  async rangeFile(): Promise<RangeFile | null> {
    if (this.#given !== undefined) return null;
    if (this.#inputs === null) {
      if (!holdsItsSize(fstatSync(this.#fd))) return null;
      const start = offsetOf(this.#fd);
      if (start === null) return null;
      return { fd: this.#fd, name: this.#fdName, start, owned: false };
    }
    if (this.#inputs.length !== 1) return null;
    const name = this.#inputs[0]!;
    try {
      // A named pipe is not opened here: its open would wait for a writer.
      if (!holdsItsSize(statSync(name))) return null;
    } catch {
      return null;
    }
    const fd = await openFile(name);
    return { fd, name, start: 0, owned: true };
  }

  close(): void {
    this.#closed = true;
    this.#close(null);
    // A thread blocked opening a named pipe would keep the process from exiting: be its writer
    // for a moment. (Nobody waiting, or not a pipe: nothing happens.)
    if (this.#opening !== null) {
      try {
        if (statSync(this.#opening).isFIFO()) {
          closeSync(openSync(this.#opening, constants.O_WRONLY | constants.O_NONBLOCK));
        }
      } catch {}
    }
    this.#stream?.destroy();
  }

  /**
   * Gives back a chunk whose bytes will never be read again (copied out by hash dispatch), so
   * that the memory it was read into (a file's or a pipe's: `ReadBuffers`) is read into again.
   */
  recycle(chunk: Buffer): void {
    wroteParts([chunk], chunk.length);
  }

  /**
   * A descriptor that is not a regular file: a pipe or a socket is read a pipeful at a time into
   * memory used again: a pipe, where `offThread`, by blocking reads on the thread pool
   * (`poolReads`: the copy out of the kernel off the main thread), else (and a socket, or a
   * pipe in non-blocking mode) by a socket (`socketReads`); a device from the thread pool.
   * `owned`: an --input opened here, closed at the end (a socket closes it itself).
   */
  #readDescriptor(fd: number, wait: () => Promise<void>, owned = false): AsyncGenerator<Buffer> {
    const stat = fstatSync(fd);
    if (!stat.isFIFO() && !stat.isSocket()) {
      // Closed only when opened here: stdin, or the library's caller's descriptor, is left open
      // for its owner, the stream destroyed too (a stream closes its descriptor as it is
      // destroyed, whatever `autoClose` says): that lost the caller's descriptor, and one Node
      // held itself aborted the process.
      const keep = { read, close: (_fd: number, done: (error: null) => void) => done(null) };
      const stream = createReadStream('', {
        fd,
        highWaterMark: READ_SIZE,
        ...(!owned && { autoClose: false, fs: keep }),
      });
      return this.#readStream(stream, wait);
    }
    // A pipe holds 64 KiB unless someone sizes it: the process starter can (Node cannot).
    if (stat.isFIFO()) {
      sizeInputPipe(`/proc/${process.pid}/fd/${fd}`);
      if (this.#offThread && !nonBlocking(fd)) {
        return poolReads(fd, wait, this.#whenClosed, () => owned && closeSync(fd));
      }
    }
    return this.#readSocket(fd, wait);
  }

  /** A socket, or a pipe in non-blocking mode: `socketReads`, ended early by `close`. */
  #readSocket(fd: number, wait: () => Promise<void>): AsyncGenerator<Buffer> {
    const { socket, chunks } = socketReads(fd, wait);
    this.#stream = socket;
    if (this.#closed) socket.destroy();
    return chunks;
  }

  /** `anyChunks`: a caller's stream may give strings or other byte arrays, made Buffers here. */
  async *#readStream(
    stream: Readable,
    wait: () => Promise<void>,
    anyChunks = false,
  ): AsyncGenerator<Buffer> {
    this.#stream = stream;
    if (this.#closed) {
      stream.destroy();
      return;
    }
    let sinceTurn = 0;
    try {
      for await (const bytes of gathered(stream, anyChunks)) {
        yield bytes;
        await wait();
        // A stream that always has data (a read() that pushes at once) gives it in promises
        // alone: the workers' exits and the output's drains, events, would never be heard.
        sinceTurn += bytes.length;
        if (sinceTurn >= TURN_BYTES) {
          sinceTurn = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } catch (error) {
      // Destroyed because manifold closed it (every worker ended, a halt): no news.
      if (!this.#closed) throw error;
    }
  }

  /**
   * A regular file to its end; one that grew, shrank or was rewritten meanwhile is an error. Read
   * on the thread pool into the memory a pipe is read into (`ReadBuffers`: up to 1 MiB a read,
   * each lent until its bytes are in a worker or copied out), so that the reads go into memory
   * used again rather than fresh pages (docs/performance.md, "A file read as a stream").
   * `given`: a descriptor manifold was given (stdin, a stage's input), read from its offset.
   */
  async *#readFile(
    fd: number,
    wait: () => Promise<void>,
    name: string,
    given: boolean,
  ): AsyncGenerator<Buffer> {
    const start = fstatSync(fd);
    // A file of /proc or /sys is read to its end whatever size it claims.
    const offset = !holdsItsSize(start) ? null : given ? offsetOf(fd) : 0;
    const buffers = new ReadBuffers();
    let total = 0;
    try {
      for (;;) {
        await wait();
        if (this.#closed) return;
        const into = buffers.next();
        // At the file's current position (-1): stdin's may not be 0.
        const n = await readAt(fd, into, 0, into.length, -1);
        if (n === 0) {
          if (offset !== null) {
            const error = fileChanged(name, start, fd, total < start.size - offset);
            if (error !== null) throw error;
          }
          return;
        }
        total += n;
        yield buffers.took(n, into);
      }
    } finally {
      buffers.moveOn();
    }
  }
}

/** Whether `name` is a regular file (not yet opened: a named pipe's open waits for a writer). */
export function isRegularFile(name: string): boolean {
  try {
    return statSync(name).isFile();
  } catch {
    return false;
  }
}
