import { closeSync, constants, openSync, writeSync } from 'node:fs';

// How a read of a pipe waiting on the thread pool is ended (`poolReads` in reads.ts).

/**
 * Ends a read waiting on an empty pipe: one byte written into it through a second write end
 * (Linux opens a pipe's other end by /proc/self/fd). Without a reader waiting, the byte stays
 * in a pipe this process no longer reads. Out of descriptors, the spare is given up for that
 * open. Nothing is done when it cannot be opened or written (the pipe is full: then no read
 * waits on it). Should another process read the same pipe, the byte may go to it instead, and
 * this read waits for the writer as it would have anyway.
 */
export function wakeReader(fd: number, spare: Spare): void {
  const path = `/proc/self/fd/${fd}`;
  const flags = constants.O_WRONLY | constants.O_NONBLOCK;
  let end: number;
  try {
    end = openSync(path, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EMFILE' || !spare.close()) return;
    try {
      end = openSync(path, flags);
    } catch {
      return;
    }
  }
  try {
    writeSync(end, Buffer.of(0));
  } catch {
    // The pipe is full: no read waits on it.
  } finally {
    closeSync(end);
  }
}

/**
 * A descriptor held to be given up when the process has no other. libuv keeps a spare of its
 * own (its "emfile trick"), but opens it at the first stream the process makes, which may take
 * the last free descriptor, and it is not ours to give up.
 */
export class Spare {
  #fd: number | null;

  constructor() {
    try {
      this.#fd = openSync('/dev/null', 'r');
    } catch {
      this.#fd = null;
    }
  }

  /** Gives it up; false when there was none to give. */
  close(): boolean {
    if (this.#fd === null) return false;
    closeSync(this.#fd);
    this.#fd = null;
    return true;
  }
}
