import { fstatSync, read } from 'node:fs';
import { open } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/** Reads of a file: big enough for few system calls, small enough to be freed young. */
const READ_SIZE = 256 * 1024;

/** The input's total size when it is known (regular files), for the progress line's ETA. */
export function inputSize(inputs: string[] | null, sizes: number[], fd = 0): number | null {
  if (inputs === null) {
    const stat = fstatSync(fd);
    return stat.isFile() ? stat.size : null;
  }
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * The input as chunks: each file in order, or a file descriptor (stdin, or a pipe from an
 * earlier stage). Regular files are read 256 KiB at a time into fresh buffers (blocks keep views
 * of them); a pipe is read as a non-blocking stream. `wait` is called before each read, so the
 * caller can hold reading while its queues are full; `close` ends reading early.
 */
export class InputReader {
  readonly #inputs: string[] | null;
  readonly #fd: number;
  #stream: Readable | null = null;
  #closed = false;

  constructor(inputs: string[] | null, fd = 0) {
    this.#inputs = inputs;
    this.#fd = fd;
  }

  async *chunks(wait: () => Promise<void>): AsyncGenerator<Buffer> {
    if (this.#inputs !== null) {
      for (const name of this.#inputs) {
        const handle = await open(name, 'r');
        try {
          yield* this.#readFile(handle.fd, wait);
        } finally {
          await handle.close();
        }
      }
      return;
    }
    if (fstatSync(this.#fd).isFile()) {
      yield* this.#readFile(this.#fd, wait);
      return;
    }
    this.#stream =
      this.#fd === 0
        ? process.stdin
        : new Socket({ fd: this.#fd, readable: true, writable: false });
    if (this.#closed) return;
    for await (const chunk of this.#stream) {
      yield chunk as Buffer;
      await wait();
    }
  }

  close(): void {
    this.#closed = true;
    this.#stream?.destroy();
  }

  async *#readFile(fd: number, wait: () => Promise<void>): AsyncGenerator<Buffer> {
    for (;;) {
      await wait();
      if (this.#closed) return;
      const buffer = Buffer.allocUnsafeSlow(READ_SIZE);
      const n = await new Promise<number>((resolve, reject) =>
        read(fd, buffer, 0, READ_SIZE, null, (error, bytes) =>
          error ? reject(error) : resolve(bytes),
        ),
      );
      if (n === 0) return;
      yield buffer.subarray(0, n);
    }
  }
}
