import { Socket } from 'node:net';
import { lend, repay } from './lent.js';

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

const free: ArrayBuffer[] = [];

function giveBack(memory: ArrayBuffer): void {
  if (free.length < KEPT) free.push(memory);
}

/**
 * A socket reading a pipe (`fd`: a worker's output, or the fan's input) into buffers of 1 MiB
 * used again, each read handed to `chunk` as a view. A buffer is filled read after read (each
 * read up to what is left of it). A read of 64 KiB or more is lent (`lent.ts`), a smaller one
 * copied out (the space is read into again at once). The buffer comes back to be
 * read into once every byte read into it has been written where it goes (`wroteParts`: by the
 * output sink, or into a worker for a block of input) and once this reader has moved on to
 * another (it holds the loan open with one byte meanwhile). Bytes held (for the order of the
 * output, for a retry) thus hold about their own size of memory, never a megabyte per read;
 * bytes never written as they came (copied, dropped) leave their buffer to the collector.
 *
 * Why: libuv reads a stream 64 KiB at a time into a fresh buffer, and on this host each read
 * and each wake-up costs more than the copy (docs/performance.md, "Workers' pipes").
 */
export function lendingSocket(fd: number, chunk: (data: Buffer) => void): Socket {
  let current: Buffer | null = null;
  let filled = 0;
  const moveOn = () => {
    if (current !== null) repay(current.buffer as ArrayBuffer, 1);
    current = null;
  };
  const next = (): Buffer => {
    if (current !== null && current.length - filled >= LEAST_READ) return current.subarray(filled);
    moveOn();
    const memory = free.pop();
    const buffer = memory === undefined ? Buffer.allocUnsafeSlow(BUFFER_SIZE) : Buffer.from(memory);
    lend(buffer.buffer as ArrayBuffer, 1, giveBack);
    current = buffer;
    filled = 0;
    return buffer;
  };
  // Node takes `onread` here as in `net.connect` (its type leaves it out).
  const options = {
    fd,
    writable: false,
    onread: {
      buffer: next,
      callback: (n: number, into: Uint8Array) => {
        const read = into as Buffer;
        if (n < LEAST_READ) {
          // A small read is copied out: its space is read into again at once, and no buffer
          // waits on a consumer that copies or drops what it is given.
          const copy = Buffer.allocUnsafe(n);
          read.copy(copy, 0, 0, n);
          chunk(copy);
          return;
        }
        lend(read.buffer as ArrayBuffer, n, giveBack);
        filled += n;
        chunk(read.subarray(0, n));
      },
    },
  };
  const socket = new Socket(options);
  socket.once('close', moveOn);
  return socket;
}
