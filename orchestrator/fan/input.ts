import { fstatSync } from 'node:fs';
import { open } from 'node:fs/promises';

const READ_SIZE = 1024 * 1024;

/** The input's total size when it is known (regular files), for the progress line's ETA. */
export function inputSize(inputs: string[] | null, sizes: number[]): number | null {
  if (inputs === null) {
    const stat = fstatSync(0);
    return stat.isFile() ? stat.size : null;
  }
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * The input as chunks: each file in order, or stdin. Regular files are read 1 MiB at a time
 * into fresh buffers (blocks keep views of them); a pipe is read as a stream. `wait` is called
 * before each read, so the caller can hold reading while its queues are full.
 */
export async function* readInput(
  inputs: string[] | null,
  wait: () => Promise<void>,
): AsyncGenerator<Buffer> {
  if (inputs !== null) {
    for (const name of inputs) yield* readFile(name, wait);
    return;
  }
  if (fstatSync(0).isFile()) {
    yield* readFd(0, wait);
    return;
  }
  for await (const chunk of process.stdin) {
    yield chunk as Buffer;
    await wait();
  }
}

async function* readFile(name: string, wait: () => Promise<void>): AsyncGenerator<Buffer> {
  const handle = await open(name, 'r');
  try {
    yield* readFd(handle.fd, wait);
  } finally {
    await handle.close();
  }
}

async function* readFd(fd: number, wait: () => Promise<void>): AsyncGenerator<Buffer> {
  const { read } = await import('node:fs');
  for (;;) {
    await wait();
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
