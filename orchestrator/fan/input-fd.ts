import { spawn } from 'node:child_process';
import { constants, fstatSync, open, readFileSync, type Stats } from 'node:fs';
import type { Readable } from 'node:stream';
import { ExitCode, ManifoldError } from '../../filters/index.js';

// What the fan's input reader asks of a descriptor, a file or a stream, apart from reading it.

/**
 * The input's size to read when it is known (regular files only; stdin's from its offset), for
 * the progress line's ETA.
 * `sizes` are the --input files' sizes, null for a pipe or a device.
 */
export function inputSize(
  inputs: string[] | null,
  sizes: (number | null)[],
  fd = 0,
): number | null {
  if (inputs === null) {
    // Read from where it stands (`{ head -c 5 >/dev/null; manifold fan ...; } < file`): the
    // bytes left, or the ETA counted the whole file and was still above 0 at the end.
    const stat = fstatSync(fd);
    return stat.isFile() ? Math.max(0, stat.size - (offsetOf(fd) ?? 0)) : null;
  }
  let total = 0;
  for (const size of sizes) {
    if (size === null) return null;
    total += size;
  }
  return total;
}

/**
 * The input's name in messages about its records: `stdin`, the one file's path, or `input` for
 * several files read one after another (record numbers count through all of them), an earlier
 * stage's pipe, or a stream the library was given; `fdName` names the descriptor (`inputFdName`).
 */
export function inputName(
  inputs: string[] | null,
  fd = 0,
  stream?: Readable,
  fdName?: string,
): string {
  if (stream !== undefined) return 'input';
  if (inputs === null) return fdName ?? (fd === 0 ? 'stdin' : 'input');
  if (inputs.length !== 1) return 'input';
  return inputs[0]!;
}

/**
 * A regular file whose size is its content: not a file of /proc or /sys, which claims a size of
 * 0 or 4096 whatever it holds and has no blocks on a disk. Only such files are read as ranges,
 * and checked for changes while read.
 */
export function holdsItsSize(stat: Stats): boolean {
  return stat.isFile() && stat.size > 0 && stat.blocks > 0;
}

/** A descriptor's offset, from /proc/self/fdinfo (Linux), or null where it cannot be known. */
export function offsetOf(fd: number): number | null {
  const pos = fdInfo(fd, /^pos:\s*(\d+)$/m);
  return pos === null ? null : Number(pos);
}

/**
 * Moves a descriptor's offset `by` bytes on, as reading that much of it would: a file given on
 * stdin and read as ranges is read at offsets, which leave its offset where it was, and whoever
 * reads it next (`{ manifold fan ...; cat; } < file`) would read it all again. Node has no
 * lseek: `dd` skips so in the same open file, reading nothing (`count=0`). Resolves to whether
 * it did.
 */
export function moveOffset(fd: number, by: number): Promise<boolean> {
  const args = ['iflag=skip_bytes', `skip=${by}`, 'count=0', 'status=none'];
  return new Promise((resolve) => {
    const child = spawn('dd', args, { stdio: [fd, 'ignore', 'ignore'] });
    child.on('error', () => resolve(false));
    child.on('close', (status) => resolve(status === 0));
  });
}

/** Whether a descriptor is in non-blocking mode (O_NONBLOCK in its flags, octal in fdinfo). */
export function nonBlocking(fd: number): boolean {
  const flags = fdInfo(fd, /^flags:\s*([0-7]+)$/m);
  return flags === null || (Number.parseInt(flags, 8) & constants.O_NONBLOCK) !== 0;
}

function fdInfo(fd: number, field: RegExp): string | null {
  try {
    return field.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

export function bytesOf(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  // The stream failed the call, as a read that fails: manifold.failure (docs/api.md).
  throw new ManifoldError(
    'manifold.io',
    `the input stream gave ${kindOf(chunk)} chunk: it must give bytes (Buffer, Uint8Array or string)`,
    { exitCode: ExitCode.failure },
  );
}

/** What a chunk that is not bytes is, for the message: `an object`, `an array`, `a number`. */
function kindOf(chunk: unknown): string {
  const kind = Array.isArray(chunk) ? 'array' : typeof chunk;
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

export function openFile(name: string): Promise<number> {
  return new Promise((resolve, reject) =>
    open(name, 'r', (error, fd) => (error ? reject(error) : resolve(fd))),
  );
}
