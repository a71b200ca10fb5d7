import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createBoundaryFinder } from '../../filters/framing/boundary.js';
import type { Framing, RecordPosition } from '../../filters/index.js';
import type { RangeNamer } from '../workers/block.js';
import { holdsItsSize } from './input-fd.js';
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
      ? byteInFiles(position.byte, files)
      : recordInFiles(position.record, files, framing);
  } catch {
    return null;
  }
}

/**
 * How a block's records (or bytes) are named in the files where they lie, when the input is
 * several files read as one stream: `b.log:1-1024`, `a.log:2001-2048, b.log:1-976` across two
 * (`rangeInFiles`); undefined for one input.
 */
export function fileRanges(
  options: Pick<FanOptions, 'inputs' | 'input' | 'framing'>,
): RangeNamer | undefined {
  const { inputs, input, framing } = options;
  if (input !== undefined || inputs === null || inputs.length < 2) return undefined;
  return (unit, first, last) => rangeInFiles(unit, first, last, inputs, framing);
}

/** Files spanned at most, each named; past it, the first and last (`a:9-10 to d:1-4, 4 files`). */
const SPANS_NAMED = 3;

/**
 * The stream's records (or bytes) `first` to `last` (1-based) named in the files where they
 * lie, each record in the file where it begins and numbered there as `placeInFiles` numbers
 * it; null where that cannot be told (as for `placeInFiles`).
 */
export function rangeInFiles(
  unit: 'record' | 'byte',
  first: number,
  last: number,
  files: readonly string[],
  framing: Framing,
): string | null {
  let spans: Span[] | null;
  try {
    spans =
      unit === 'byte' ? byteSpans(first, last, files) : recordSpans(first, last, files, framing);
  } catch {
    return null;
  }
  if (spans === null) return null;
  const name = ({ input, first, last }: Span) => {
    const range = first === last ? `${first}` : `${first}-${last}`;
    return unit === 'byte' ? `${input}: bytes ${range}` : `${input}:${range}`;
  };
  if (spans.length <= SPANS_NAMED) return spans.map(name).join(', ');
  return `${name(spans[0]!)} to ${name(spans.at(-1)!)}, ${spans.length} files`;
}

/** Records (or bytes) `first` to `last` of one file, numbered in it. */
interface Span {
  input: string;
  first: number;
  last: number;
}

/** The files holding the stream's bytes `first` to `last` (1-based), and their places there. */
function byteSpans(first: number, last: number, files: readonly string[]): Span[] | null {
  const spans: Span[] = [];
  let start = 0;
  for (const name of files) {
    const size = regularSize(name);
    if (size === null) return null;
    const from = Math.max(first, start + 1);
    const to = Math.min(last, start + size);
    if (from <= to) spans.push({ input: name, first: from - start, last: to - start });
    start += size;
    if (start >= last) return spans;
  }
  return null;
}

/** The place of the stream's byte `byte` (1-based): the file holding it, its place there. */
function byteInFiles(byte: number, files: readonly string[]): RecordPosition | null {
  const span = byteSpans(byte, byte, files)?.[0];
  return span === undefined ? null : { input: span.input, byte: span.first };
}

/** The place of the stream's record `record` (1-based): the file where it begins, its number there. */
function recordInFiles(
  record: number,
  files: readonly string[],
  framing: Framing,
): RecordPosition | null {
  const span = recordSpans(record, record, files, framing)?.[0];
  return span === undefined ? null : { input: span.input, record: span.first };
}

/**
 * The stream's records `first` to `last` (1-based) by the files where they begin, numbered in
 * each as `sed` numbers its lines: one more than the record ends before it in that file. The
 * files are read again from their start, the records before `first` only counted.
 */
function recordSpans(
  first: number,
  last: number,
  files: readonly string[],
  framing: Framing,
): Span[] | null {
  // Records cut by expressions are sure only at the reach past their ends, which a file's end
  // before the next file's bytes does not give: their files are not said.
  if (framing.kind === 'raw' || framing.kind === 'regexp') return null;
  const finder = createBoundaryFinder(framing);
  // A record known to end by the start string after it (start:, between:) may end where a file
  // begins, or in the file before: such an end is found in this file but is not one of its own.
  const lookahead = finder.lookahead ?? 0;
  const spans: Span[] = [];
  // The stream's number of the record at the reading place, and whether it has begun (bytes of
  // it were read: a file whose last record lacks its end leaves it begun for the next).
  let next = 1;
  let begun = false;
  const chunk = Buffer.allocUnsafe(CHUNK);
  for (const name of files) {
    // The files after the range are not asked about (stdin may be among them).
    if (next > last && !begun) return spans;
    if (regularSize(name) === null) return null;
    const fd = openSync(name, 'r');
    try {
      // Record ends found in this file so far, and the span of the range begun in it.
      let ends = 0;
      let span: Span | null = null;
      // This file's bytes read before `chunk`'s, and the ends before its own begin.
      let offset = 0;
      const own = (end: number) => offset + end - lookahead > 0;
      for (let read = readSync(fd, chunk, 0, CHUNK, null); read > 0; ) {
        const view = chunk.subarray(0, read);
        let at = 0;
        if (next < first && offset >= lookahead) {
          const want = first - next;
          const { found, end } = finder.advance(view, 0, want);
          next += found;
          ends += found;
          at = end;
          begun = found < want && finder.midRecord;
        }
        // Where an end may not be this file's, the records before the range one at a time.
        while (next < first && at < read) {
          const end = finder.next(view, at);
          if (end < 0) {
            at = read;
            begun = finder.midRecord;
            break;
          }
          next++;
          if (own(end)) ends++;
          at = end;
          begun = false;
        }
        while (at < read && next >= first) {
          if (!begun) {
            if (next > last) return spans;
            // Record `next` begins here, the `ends + 1`th of this file.
            if (span === null) {
              span = { input: name, first: ends + 1, last: 0 };
              spans.push(span);
            }
            span.last = ends + 1;
            begun = true;
          }
          const end = finder.next(view, at);
          if (end < 0) break;
          if (own(end)) ends++;
          next++;
          begun = false;
          at = end;
        }
        offset += read;
        read = readSync(fd, chunk, 0, CHUNK, null);
      }
    } finally {
      closeSync(fd);
    }
  }
  // Every record of the range began (the last one may lack its end).
  return next > last || (next === last && begun) ? spans : null;
}

/**
 * The size of `name` when it is a regular file whose size is its content (read again the
 * same), else null: not stdin, a pipe or a device, nor a file of /proc or /sys, which claims 0
 * or 4096 bytes whatever it holds (`holdsItsSize`); an empty file only when a read finds it so.
 */
function regularSize(name: string): number | null {
  if (name === '-') return null;
  const fd = openSync(name, 'r');
  try {
    const stat = fstatSync(fd);
    if (holdsItsSize(stat)) return stat.size;
    if (!stat.isFile() || stat.size > 0) return null;
    return readSync(fd, Buffer.alloc(1), 0, 1, 0) === 0 ? 0 : null;
  } finally {
    closeSync(fd);
  }
}
