import { nameOnOneLine } from '../../filters/errors.js';
import type { Framing, RecordPosition } from '../../filters/index.js';
import type { RangeNamer } from '../workers/block.js';
import type { FanOptions } from './options.js';
import { recordSpans, regularSize, type Span } from './record-spans.js';

// Several --input files are read as one stream (`cat a b |`), and its records are numbered
// through all of them. A message about one record names it in the file where it begins
// (`b.log:17`, as `sed -n 17p b.log` finds it), worked out when a message needs it: the files
// are read again from their start, only on this path.

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
    const file = nameOnOneLine(input);
    return unit === 'byte' ? `${file}: bytes ${range}` : `${file}:${range}`;
  };
  if (spans.length <= SPANS_NAMED) return spans.map(name).join(', ');
  return `${name(spans[0]!)} to ${name(spans.at(-1)!)}, ${spans.length} files`;
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
