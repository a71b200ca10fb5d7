import { createReadStream, readSync, writevSync } from 'node:fs';
import { errnoText, ManifoldError } from '../errors.js';
import { isClosed } from '../shown.js';
import type { Scratch } from './scratch.js';

/** The input's name in messages. */
export const STDIN = 'stdin';
const BUFFER_SIZE = 1024 * 1024;
const MIN_READ = 64 * 1024;
const IOV_MAX = 1024;

/**
 * Reads a file descriptor in chunks that are views of large buffers filled front to back, so a
 * record split across two reads usually lies contiguous in memory. A buffer is never reused
 * unless `mayReuse` says that nothing holds a view of it any more (text records, decoded into
 * strings, once written): then the two last buffers take turns. Fresh memory costs a page fault
 * per 4 KiB on first touch, more than the records' own work (docs/performance.md).
 *
 * Reads are synchronous: a filter has nothing else to do while its input is empty, and a blocking
 * read costs a fraction of a stream's per-chunk machinery. A descriptor in non-blocking mode
 * (shared with a process that set O_NONBLOCK) answers EAGAIN; then the rest is read as a stream.
 */
export async function* readChunks(
  fd = 0,
  readSize = BUFFER_SIZE,
  mayReuse?: (memory: ArrayBufferLike) => boolean,
): AsyncGenerator<Buffer> {
  let buffer = allocate();
  /** The buffer filled before this one, to be read into again if nothing holds it. */
  let spare: Buffer | null = null;
  let used = 0;
  for (;;) {
    if (buffer.length - used < MIN_READ) {
      const next = spare !== null && mayReuse?.(spare.buffer) ? spare : allocate();
      spare = mayReuse === undefined ? null : buffer;
      buffer = next;
      used = 0;
    }
    let n: number;
    try {
      n = readSync(fd, buffer, used, Math.min(readSize, buffer.length - used), null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        yield* readStream(fd);
        return;
      }
      if (code === 'EOF') return;
      throw ioError(`cannot read ${fd === 0 ? 'stdin' : `fd ${fd}`}`, error);
    }
    if (n === 0) return;
    yield buffer.subarray(used, used + n);
    used += n;
  }
}

function allocate(): Buffer {
  return Buffer.allocUnsafeSlow(BUFFER_SIZE);
}

async function* readStream(fd: number): AsyncGenerator<Buffer> {
  const stream = fd === 0 ? process.stdin : createReadStream('', { fd, autoClose: false });
  for await (const chunk of stream) yield chunk as Buffer;
}

/** Downstream closed its end: not an error for a filter, which then ends quietly with status 0. */
export class ClosedOutput extends Error {
  constructor() {
    super('output closed');
    this.name = 'ClosedOutput';
  }
}

/**
 * Writes Buffers to a file descriptor with writev, synchronously: the write blocks while the pipe
 * is full, which is the backpressure a filter wants. EPIPE becomes `ClosedOutput`. On a
 * non-blocking descriptor (EAGAIN) the rest goes through process.stdout, waiting for 'drain'.
 */
export class OutputWriter {
  readonly #fd: number;
  #stream: NodeJS.WriteStream | null = null;

  /** Where output text was encoded: used again after each write that left nothing queued. */
  readonly #memory: Scratch | null;

  constructor(fd = 1, memory?: Scratch) {
    this.#fd = fd;
    this.#memory = memory ?? null;
  }

  /** Whether every write so far is done (written synchronously): none holds its parts. */
  get settled(): boolean {
    return this.#stream === null || this.#stream.writableLength === 0;
  }

  async write(parts: Buffer[]): Promise<void> {
    let rest = parts;
    while (rest.length > 0 && this.#stream === null) {
      const batch = rest.length > IOV_MAX ? rest.slice(0, IOV_MAX) : rest;
      let written: number;
      try {
        written = writevSync(this.#fd, batch);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (isClosed(code)) throw new ClosedOutput();
        if (code !== 'EAGAIN') throw ioError('cannot write stdout', error);
        this.#stream = this.#openStream();
        break;
      }
      rest = unwritten(rest, written);
    }
    if (rest.length > 0 && this.#stream !== null) await this.#writeStream(rest);
    if (this.settled) this.#memory?.reset();
  }

  #openStream(): NodeJS.WriteStream {
    const stream = process.stdout;
    // Errors arrive through write callbacks below; without a listener they would be thrown.
    stream.on('error', () => {});
    return stream;
  }

  /**
   * Resolves once every write so far is out of the process, a write still queued on a
   * non-blocking stdout included: a process that exits before loses what is queued (the end of
   * its output). Throws as `write` does when one of them failed.
   */
  async flushed(): Promise<void> {
    const stream = this.#stream;
    if (stream !== null && stream.writableLength > 0) {
      // Write callbacks come in order: the last one's means all of them are done.
      await new Promise<void>((resolve) => {
        this.#idle = resolve;
      });
    }
    this.#throwFailure();
  }

  #failure: Error | null = null;
  #idle: (() => void) | null = null;
  readonly #onWritten = (error?: Error | null) => {
    this.#failure ??= error ?? null;
    if (this.#stream!.writableLength > 0 && error == null) return;
    const idle = this.#idle;
    this.#idle = null;
    idle?.();
  };

  async #writeStream(parts: Buffer[]): Promise<void> {
    const stream = this.#stream!;
    for (const part of parts) {
      // Both listeners go when either fires: one left per wait added up past Node's warning.
      if (!stream.write(part, this.#onWritten)) await drained(stream);
      this.#throwFailure();
    }
  }

  #throwFailure(): void {
    const failure = this.#failure;
    if (failure === null) return;
    const code = (failure as NodeJS.ErrnoException).code;
    throw isClosed(code) ? new ClosedOutput() : ioError('cannot write stdout', failure);
  }
}

/** Resolves at the stream's 'drain' or 'error' (the error comes to the write's callback too). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
  });
}

/** What is left of `parts` after the first `bytes` bytes were written. */
export function unwritten(parts: Buffer[], bytes: number): Buffer[] {
  let i = 0;
  let left = bytes;
  while (i < parts.length && left >= parts[i]!.length) {
    left -= parts[i]!.length;
    i++;
  }
  if (i === parts.length) return [];
  const rest = parts.slice(i);
  if (left > 0) rest[0] = rest[0]!.subarray(left);
  return rest;
}

/** `cannot read stdin: is a directory (EISDIR)`: the system's words, then the code. */
function ioError(message: string, cause: unknown): ManifoldError {
  const code = (cause as NodeJS.ErrnoException).code;
  const reason = code === undefined ? 'error' : errnoText(code);
  return new ManifoldError('manifold.io', `${message}: ${reason}`, { exitCode: 1, cause });
}
