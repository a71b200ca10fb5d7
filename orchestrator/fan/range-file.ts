import { fstatSync, read, type Stats } from 'node:fs';
import { countByte } from '../../filters/framing/byte-count.js';
import { ExitCode, ManifoldError } from '../../filters/index.js';

// A regular file read as ranges: the file, reads at an offset, checks that it did not change.

/** An input that is one regular file, opened. */
export interface RangeFile {
  fd: number;
  /** Its name for messages: the --input given, or `stdin`. */
  name: string;
  /** Where reading starts: 0, or where stdin's offset was left by whoever ran manifold. */
  start: number;
  /** Opened by manifold (an --input), so closed by it at the end. */
  owned: boolean;
}

/**
 * The error for a file read while it changed, or null: its size or modification time differ
 * from the start's (`start`, the fstat of `fd` as reading began), or (`short`) it ended before
 * its size. Blocks read from it would not be the file, so the run fails rather than lose or
 * invent records quietly.
 */
export function fileChanged(
  name: string,
  start: Stats,
  fd: number,
  short = false,
): ManifoldError | null {
  let now = fstatSync(fd);
  if (!short && now.size === start.size && now.mtimeMs === start.mtimeMs) return null;
  // A write in flight moves the time before the size (Linux updates the time, then copies the
  // bytes and sets the size), so a file seen with a new time and its old size may be one being
  // appended to. It is looked at once more, a moment later, so that the message says what
  // happened: grew, not rewritten. Only on this error path.
  if (!short && now.size === start.size) {
    Atomics.wait(PAUSE, 0, 0, SETTLE_MS);
    now = fstatSync(fd);
  }
  const how =
    now.size > start.size ? 'grew' : now.size < start.size || short ? 'shrank' : 'was rewritten';
  return new ManifoldError(
    'manifold.io',
    `the input file ${name} ${how} while it was read (${start.size} bytes at the start, ${now.size} now): its blocks would not be the file`,
    { exitCode: ExitCode.failure },
  );
}

/** How long a file seen with a new time and its old size is given before it is looked at again. */
const SETTLE_MS = 20;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** The delimiters in `data`, and the end of the last. */
export function countEnds(data: Buffer, delimiter: Buffer): { found: number; end: number } {
  let found = 0;
  let end = 0;
  if (delimiter.length === 1) {
    // Counted many at a time (byte-count.ts), then the last one found from the end.
    const byte = delimiter[0]!;
    found = countByte(data, byte);
    return { found, end: found === 0 ? 0 : data.lastIndexOf(byte) + 1 };
  }
  for (let at = data.indexOf(delimiter); at >= 0; at = data.indexOf(delimiter, end)) {
    found++;
    end = at + delimiter.length;
  }
  return { found, end };
}

/** One `pread` of the file (libuv's thread pool): the bytes read, 0 at its end. */
export function readAt(fd: number, into: Buffer, offset: number, length: number, position: number) {
  return new Promise<number>((resolve, reject) =>
    read(fd, into, offset, length, position, (error, n) => (error ? reject(error) : resolve(n))),
  );
}
