import { read } from 'node:fs';
import { Socket } from 'node:net';
import { LentPool, repay } from './lent.js';
import { Spare, wakeReader } from './wake-reader.js';

/** The memory a pipe is read into: what it holds (1 MiB, as the starter sizes them). */
const BUFFER_SIZE = 1024 * 1024;
/**
 * A buffer is read into until less than this is left of it; then the next one is taken. Reads
 * smaller than this are copied out rather than lent.
 */
const LEAST_READ = 64 * 1024;
/**
 * Read buffers kept for reuse once written out; more are left to the garbage collector. A fan
 * of two has ~20 in use at once (blocks queued and in the workers' pipes, output on its way
 * out); with 16 kept, the rest came and went through the collector, and 4 GiB through a pipe
 * peaked at 100-113 MB; with 32, 88-89 MB.
 */
const KEPT = 32;

const pool = new LentPool(BUFFER_SIZE, KEPT);

/**
 * The buffers a pipe is read into, 1 MiB each, used again. A buffer is filled read after read
 * (each read up to what is left of it). A read of 64 KiB or more is lent (`lent.ts`), a
 * smaller one copied out (the space is read into again at once). The buffer comes back to be
 * read into once every byte read into it has been written where it goes (`wroteParts`: by the
 * output sink, or into a worker for a block of input) and once its reader has moved on to
 * another (it holds the loan open with one byte meanwhile). Bytes held (for the order of the
 * output, for a retry) thus hold about their own size of memory, never a megabyte per read;
 * bytes never written as they came (copied, dropped) leave their buffer to the collector.
 */
export class ReadBuffers {
  #current: Buffer | null = null;
  #filled = 0;

  /** Where the next read goes. */
  next(): Buffer {
    const current = this.#current;
    if (current !== null && current.length - this.#filled >= LEAST_READ) {
      return current.subarray(this.#filled);
    }
    this.moveOn();
    const buffer = pool.take();
    pool.lend(buffer, 1);
    this.#current = buffer;
    this.#filled = 0;
    return buffer;
  }

  /** The chunk of `n` bytes read into `into` (what `next` gave). */
  took(n: number, into: Buffer): Buffer {
    if (n < LEAST_READ) {
      // A small read is copied out: its space is read into again at once, and no buffer waits
      // on a consumer that copies or drops what it is given.
      const copy = Buffer.allocUnsafe(n);
      into.copy(copy, 0, 0, n);
      return copy;
    }
    pool.lend(into, n);
    this.#filled += n;
    return into.subarray(0, n);
  }

  /** Lets the current buffer go back once its bytes are written. */
  moveOn(): void {
    if (this.#current !== null) repay(this.#current.buffer as ArrayBuffer, 1);
    this.#current = null;
  }
}

/**
 * A socket reading a pipe (`fd`: a worker's output, or the fan's input) into buffers of 1 MiB
 * used again (`ReadBuffers`), each read handed to `chunk` as a view.
 *
 * Why: libuv reads a stream 64 KiB at a time into a fresh buffer, and on this host each read
 * and each wake-up costs more than the copy (docs/performance.md, "Workers' pipes").
 */
export function lendingSocket(fd: number, chunk: (data: Buffer) => void): Socket {
  const buffers = new ReadBuffers();
  // Node takes `onread` here as in `net.connect` (its type leaves it out).
  const options = {
    fd,
    writable: false,
    onread: {
      buffer: () => buffers.next(),
      callback: (n: number, into: Uint8Array) => chunk(buffers.took(n, into as Buffer)),
    },
  };
  const socket = new Socket(options);
  socket.once('close', () => buffers.moveOn());
  return socket;
}

/**
 * A pipe or socket read by `lendingSocket` as chunks, reading on while two wait to be taken.
 * `socket` is there to be destroyed when reading should end early: the chunks then end.
 */
export function socketReads(
  fd: number,
  wait: () => Promise<void>,
): { socket: Socket; chunks: AsyncGenerator<Buffer> } {
  const queue: Buffer[] = [];
  let ended = false;
  let failed: Error | null = null;
  let wake: (() => void) | null = null;
  const woken = () => {
    const go = wake;
    wake = null;
    go?.();
  };
  const socket = lendingSocket(fd, (data) => {
    queue.push(data);
    if (queue.length >= 2) socket.pause();
    woken();
  });
  socket.pause();
  const end = () => {
    ended = true;
    woken();
  };
  socket.on('end', end);
  socket.on('close', end);
  socket.on('error', (error: Error) => {
    failed = error;
    woken();
  });
  async function* chunks(): AsyncGenerator<Buffer> {
    if (!ended) socket.resume();
    try {
      for (;;) {
        while (queue.length === 0 && !ended && failed === null) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
        if (failed !== null) throw failed;
        const chunk = queue.shift();
        if (chunk === undefined) return;
        if (queue.length < 2 && socket.isPaused() && !ended) socket.resume();
        yield chunk;
        await wait();
      }
    } finally {
      socket.destroy();
    }
  }
  return { socket, chunks: chunks() };
}

/**
 * A pipe read by blocking reads on the thread pool into the same buffers as `lendingSocket`,
 * one read ahead of its consumer: the copy out of the kernel is made off the main thread, where
 * a socket's is made on it. For a pipe in blocking mode only (a read of one in non-blocking mode
 * would fail with EAGAIN). The chunks end when `closed` settles. A read then under way would
 * wait for the pipe's writer to write or close, and Node's exit waits for the thread pool: so
 * one byte is written into the pipe, which that read takes and drops (`wakeReader`), when the
 * chunks end early and when the process exits. Its buffer is not read into again before it
 * ends. Each pipe read so holds one of the pool's threads (four, unless UV_THREADPOOL_SIZE says
 * otherwise when Node starts): one such reader per process. `settled` is called once no read
 * is under way any more: a descriptor closed before then could be reused by another open, and
 * read from. The reader keeps a spare descriptor for that wake (`Spare`): a fan stops when it
 * runs out of them (a worker cannot start), which is when the wake's open would fail.
 */
export async function* poolReads(
  fd: number,
  wait: () => Promise<void>,
  closed: Promise<unknown>,
  settled: () => void = () => {},
): AsyncGenerator<Buffer> {
  const buffers = new ReadBuffers();
  const spare = new Spare();
  /** Whether a read is under way. */
  let reading = false;
  const readInto = (into: Buffer) => {
    reading = true;
    const next = new Promise<Buffer | null>((resolve, reject) =>
      read(fd, into, 0, into.length, null, (error, n) => {
        reading = false;
        if (error) reject(error);
        else resolve(n === 0 ? null : buffers.took(n, into));
      }),
    );
    // A read that fails while its chunk's consumer works is thrown when next awaited, not
    // reported meanwhile as a rejection nobody handles (which would end the process).
    next.catch(() => {});
    return next;
  };
  const stop = closed.then(() => null);
  // However this process ends, a read still waiting would hold its exit (Node's exit waits for
  // the thread pool): the exit wakes it.
  const onExit = () => {
    if (reading) wakeReader(fd, spare);
  };
  process.once('exit', onExit);
  let pending: Promise<Buffer | null> | null = null;
  try {
    pending = readInto(buffers.next());
    for (;;) {
      const chunk = await Promise.race([pending, stop]);
      if (chunk === null) return;
      pending = readInto(buffers.next());
      yield chunk;
      await wait();
    }
  } finally {
    // Ended early (closed, or its consumer stopped taking chunks) with a read under way.
    if (reading) wakeReader(fd, spare);
    const done = () => {
      process.removeListener('exit', onExit);
      spare.close();
      buffers.moveOn();
      settled();
    };
    if (pending === null) done();
    else pending.then(done, done);
  }
}
