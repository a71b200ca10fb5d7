import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createBoundaryFinder } from '../../filters/framing/boundary.js';
import type { Framing, RecordPosition } from '../../filters/index.js';
import type { FanOptions } from './options.js';

// Several --input files are read as one stream (`cat a b |`), and its records are numbered
// through all of them. A message about one record names it in the file where it begins
// (`b.log:17`, as `sed -n 17p b.log` finds it), worked out when a message needs it: the files
// are read again from their start, only on this path.

/** Bytes read at a time while the files are read again. */
const CHUNK = 1 << 20;

/**
 * How a record of the fan's input is named in the file where it begins, when the input is
 * several files read as one stream (`placeInFiles`); undefined for one input (named as itself).
 */
export function filePlaces(
  options: Pick<FanOptions, 'inputs' | 'input' | 'framing'>,
): ((position: RecordPosition) => RecordPosition | null) | undefined {
  const { inputs, input, framing } = options;
  if (input !== undefined || inputs === null || inputs.length < 2) return undefined;
  return (position) => placeInFiles(position, inputs, framing);
}

/**
 * `position` (a place in the stream of `files`, named `input`) as a place in the file where it
 * lies: `{ input: 'b.log', record: 17 }` or `{ input: 'b.log', byte: 3 }`. A record is numbered
 * in its file as `sed` numbers lines there: one more than the record ends before it in that
 * file (a file whose last record lacks its end goes on in the next, where that record's end is
 * counted). Null where it cannot be told: stdin or a file that is not a regular one (a pipe,
 * a device) among the files read up to it, a file that cannot be read again, or a place past
 * their end (they changed).
 */
export function placeInFiles(
  position: RecordPosition,
  files: readonly string[],
  framing: Framing,
): RecordPosition | null {
  try {
    return 'byte' in position
      ? byteInFiles(position.byte - 1, files)
      : recordInFiles(position.record, files, framing);
  } catch {
    return null;
  }
}

/** The file holding the stream's byte `offset` (0-based), and its 1-based place in it. */
function byteInFiles(offset: number, files: readonly string[]): RecordPosition | null {
  let start = 0;
  for (const name of files) {
    const size = regularSize(name);
    if (size === null) return null;
    if (offset < start + size) return { input: name, byte: offset - start + 1 };
    start += size;
  }
  return null;
}

/** The file where the stream's record `record` (1-based) begins, and its number there. */
function recordInFiles(
  record: number,
  files: readonly string[],
  framing: Framing,
): RecordPosition | null {
  if (framing.kind === 'raw') return null;
  const finder = createBoundaryFinder(framing);
  // Record ends still to pass before the record begins.
  let want = record - 1;
  const chunk = Buffer.allocUnsafe(CHUNK);
  for (const name of files) {
    if (regularSize(name) === null) return null;
    const fd = openSync(name, 'r');
    try {
      // Record ends found in this file before the record begins.
      let ends = 0;
      for (let read = readSync(fd, chunk, 0, CHUNK, null); read > 0; ) {
        const view = chunk.subarray(0, read);
        if (want === 0) return { input: name, record: ends + 1 };
        const { found, end } = finder.advance(view, 0, want);
        want -= found;
        ends += found;
        if (want === 0 && end < read) return { input: name, record: ends + 1 };
        read = readSync(fd, chunk, 0, CHUNK, null);
      }
    } finally {
      closeSync(fd);
    }
  }
  return null;
}

/**
 * The size of `name` when it is a regular file whose size is its content (read again the
 * same), else null: not stdin, a pipe or a device, nor a file of /proc or /sys, which claims 0
 * or 4096 bytes whatever it holds.
 */
function regularSize(name: string): number | null {
  if (name === '-') return null;
  const fd = openSync(name, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return null;
    if (stat.size > 0) return stat.blocks > 0 ? stat.size : null;
    return readSync(fd, Buffer.alloc(1), 0, 1, 0) === 0 ? 0 : null;
  } finally {
    closeSync(fd);
  }
}
