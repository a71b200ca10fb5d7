import { quoteName, UsageError } from '../errors.js';
import { formatSize, parseSize } from '../size.js';
import { isRegexpName, parseRegexpFraming, type RegexpFraming } from './regexp.js';

/**
 * How a byte stream is cut into records.
 * - `delimited`: records end with `delimiter` (lines, nul, delim:<string>, ndjson);
 * - `frames`: a 4-byte big-endian unsigned length, then that many bytes;
 * - `fixed`: every record is `size` bytes;
 * - `multiline`: every record is `lines` lines (`lines:<n>`, n ≥ 2; `lines:1` is `lines`);
 * - `started`: records begin with `start` (and, when `end` is not empty, the record before ends
 *   with `end`): cut before each `end + start`'s `start`, both kept in the records;
 * - `regexp`: cut where regular expressions match (`start-re:`, `delim-re:`, `between-re:`), as
 *   parallel's --regexp: a fan's input only (regexp.ts);
 * - `raw`: no records: bytes pass as they were read.
 */
export type Framing =
  | { kind: 'delimited'; name: string; delimiter: Buffer; json: boolean }
  | { kind: 'frames'; name: 'frames' }
  | { kind: 'fixed'; name: string; size: number }
  | { kind: 'multiline'; name: string; lines: number }
  | { kind: 'started'; name: string; start: Buffer; end: Buffer }
  | RegexpFraming
  | { kind: 'raw'; name: 'raw' };

// The names that end records by delimiters and strings, and the escapes their strings take.
const DELIMITED_NAMES =
  'lines, lines:<n>, nul, delim:<string>, start:<string>, between:<end>|<start>';
const ESCAPES_HELP = '(escapes \\n \\t \\0 \\r \\\\ \\| \\xHH allowed in delim, start and between)';

/** The framing names accepted everywhere a framing is asked for. */
export const FRAMING_HELP = `${DELIMITED_NAMES}, ndjson, frames, fixed:<bytes> or raw ${ESCAPES_HELP}`;

/** The largest payload a frame header can describe. */
export const MAX_FRAME = 0xffffffff;

const LF = Buffer.from('\n');

/**
 * Parses `lines`, `lines:<n>`, `nul`, `delim:<string>`, `ndjson`, `frames`, `fixed:<bytes>` or
 * `raw`. Messages begin with `said`: the option and its value (`--split 'delim:\q'`), or the
 * options the framing was made of (`--recend 'x\q'`).
 */
export function parseFraming(
  text: string,
  what = 'framing',
  said = `${what} ${quoteName(text)}`,
  known = FRAMING_HELP,
): Framing {
  if (text === 'lines') return { kind: 'delimited', name: 'lines', delimiter: LF, json: false };
  if (text === 'ndjson') return { kind: 'delimited', name: 'ndjson', delimiter: LF, json: true };
  if (text === 'nul') {
    return { kind: 'delimited', name: 'nul', delimiter: Buffer.from([0]), json: false };
  }
  if (text === 'frames') return { kind: 'frames', name: 'frames' };
  if (text === 'raw') return { kind: 'raw', name: 'raw' };
  if (text.startsWith('delim:')) {
    const delimiter = delimiterBytes(text.slice('delim:'.length), said);
    if (delimiter.length === 0) throw new UsageError(`${said}: the delimiter is empty`);
    return { kind: 'delimited', name: text, delimiter, json: false };
  }
  if (text.startsWith('lines:')) return parseMultiline(text, said);
  if (text.startsWith('start:') || text.startsWith('between:')) return parseStarted(text, said);
  if (isRegexpName(text)) {
    throw new UsageError(
      `${said}: a regular expression cuts a fan's input only (manifold fan --split, a config fan's split, the library's fan), not here`,
    );
  }
  if (text.startsWith('fixed:')) {
    try {
      return {
        kind: 'fixed',
        name: text,
        size: parseSize(text.slice('fixed:'.length), 'record size'),
      };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw new UsageError(`${said}: ${error.message}`, error.cause);
    }
  }
  throw new UsageError(`${said} is not one of ${known}`);
}

/** The framings that cut a fan's input (`parseCutting`): `raw` has no records to cut at. */
export const CUTTING_HELP = `${DELIMITED_NAMES}, start-re:<re>, delim-re:<re>, between-re:<end>|<start>, ndjson, frames or fixed:<bytes> ${ESCAPES_HELP}`;

/**
 * A fan's input framing: any of `parseFraming`'s, or one cut by regular expressions
 * (`start-re:`, `delim-re:`, `between-re:`), which only the fan's splitter reads.
 */
export function parseCutting(
  text: string,
  what = 'framing',
  said = `${what} ${quoteName(text)}`,
): Framing {
  return isRegexpName(text)
    ? parseRegexpFraming(text, said)
    : parseFraming(text, what, said, CUTTING_HELP);
}

/** The most lines `lines:<n>` may give a record. */
export const MAX_LINES = 0x7fffffff;

/** `lines:<n>`: records of n lines; `lines:1` is `lines`. */
function parseMultiline(text: string, said: string): Framing {
  const count = text.slice('lines:'.length);
  const lines = /^[0-9]+$/.test(count) ? Number(count) : Number.NaN;
  if (!(lines >= 1 && lines <= MAX_LINES)) {
    throw new UsageError(
      `${said}: the number of lines a record has must be a whole number from 1 to ${MAX_LINES}`,
    );
  }
  if (lines === 1) return parseFraming('lines');
  return { kind: 'multiline', name: `lines:${lines}`, lines };
}

/**
 * The bytes written after every record, in framings whose records end with a delimiter (a
 * `lines:<n>` record ends with its last line's LF); null for the others.
 */
export function recordDelimiter(framing: Framing): Buffer | null {
  if (framing.kind === 'delimited') return framing.delimiter;
  return framing.kind === 'multiline' ? LF : null;
}

/**
 * `start:<s>` (parallel's `--recstart s`) or `between:<end>|<start>` (`--recend end --recstart
 * start`): a `|` that is part of either string is written `\|`.
 */
function parseStarted(text: string, said: string): Framing {
  const started = text.startsWith('start:');
  const given = text.slice(text.indexOf(':') + 1);
  const sides = started ? ['', given] : given.split(/(?<!\\)\|/);
  if (sides.length !== 2) {
    throw new UsageError(`${said}: between: takes <end>|<start>, one unescaped | between them`);
  }
  const [end, start] = sides.map((side) => delimiterBytes(side!, said)) as [Buffer, Buffer];
  if (start.length === 0) {
    throw new UsageError(`${said}: the start string is empty`);
  }
  if (!started && end.length === 0) {
    throw new UsageError(
      `${said}: the end string is empty (records that only begin with a string are start:<string>)`,
    );
  }
  if (!started && overlapsStart(end, start)) {
    throw new UsageError(
      `${said}: the end string and the start string can be found again inside the start string, so a block would not be cut in records as the whole input is; give strings that do not overlap`,
    );
  }
  return { kind: 'started', name: text, start, end };
}

/**
 * Whether `end + start` can begin inside a record's start string (`between:AB|AB` in `ABAB...`).
 * A block begins with the start string, its end string left in the block before: read alone,
 * from there, such a match would be found where the whole input, read past it, found none.
 */
function overlapsStart(end: Buffer, start: Buffer): boolean {
  const pattern = Buffer.concat([end, start]);
  for (let k = 0; k < start.length; k++) {
    if (start.subarray(k).equals(pattern.subarray(0, start.length - k))) return true;
  }
  return false;
}

/**
 * Refuses records of a fixed size past the largest record accepted: every record but the last
 * would be refused, and the message then ("larger than the maximum ... (100 MiB so far)") named
 * bytes never read. `what`: the option (`--split`), `limit`: the other (`--max-record`).
 */
export function checkFixedFits(
  framing: Framing,
  maxRecord: number,
  what: string,
  limit: string,
): void {
  if (framing.kind !== 'fixed' || framing.size <= maxRecord) return;
  throw new UsageError(
    `${what} ${framing.name}: its records are larger than ${limit} (${formatSize(maxRecord)}); raise ${limit}`,
  );
}

/** Whether records are ndjson: JSON, one a line. */
export function isJsonFraming(framing: Framing): boolean {
  return framing.kind === 'delimited' && framing.json;
}

/**
 * A blank ndjson line: JSON's whitespace only (space, tab, CR, LF), after a byte-order mark, which
 * JSON's readers here read as nothing (json-text.ts). Every reader of ndjson skips it, keeping
 * its number: the SDK, and `manifold table build`. Any other byte is JSON or not, for the
 * parser to say: a line of NBSP or U+3000 was skipped, where jq stops on it.
 */
export function isBlankRecord(record: string | Uint8Array): boolean {
  if (typeof record === 'string') return /^\uFEFF?[ \t\n\r]*$/.test(record);
  let i = 0;
  if (record[0] === 0xef && record[1] === 0xbb && record[2] === 0xbf) i = 3;
  for (; i < record.length; i++) {
    const byte = record[i]!;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  }
  return true;
}

/**
 * Whether two framings end records at the same places in any input: ndjson and lines (and
 * `delim:\n`) do. A block cut by one is then whole records of the other.
 */
export function sameBoundaries(a: Framing, b: Framing): boolean {
  if (a.kind === 'delimited' && b.kind === 'delimited') return a.delimiter.equals(b.delimiter);
  if (a.kind === 'fixed' && b.kind === 'fixed') return a.size === b.size;
  if (a.kind === 'multiline' && b.kind === 'multiline') return a.lines === b.lines;
  if (a.kind === 'started' && b.kind === 'started') {
    return a.start.equals(b.start) && a.end.equals(b.end);
  }
  return a.kind === b.kind;
}

/** What a backslash escape in a `delim:`, `start:` or `between:` string stands for. */
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  '|': '|',
};

const ESCAPE_HELP = '\\n \\t \\r \\0 \\\\ \\| \\xHH';

/**
 * A `delim:` string's bytes: its text as UTF-8, with the escapes `\n \t \r \0 \\ \|` and
 * `\xHH`, any one byte (`delim:\xe9`, Latin-1's é). A command line's words reach manifold as
 * UTF-8 text only (a word that is not is refused: sdk/raw-arguments.ts), so a byte that is no
 * UTF-8 on its own is written so. Any other backslash is refused, naming it: `\x1` kept as
 * the three characters it is would cut at a string the user did not mean. `where`: the option
 * and its value, for the message.
 */
export function delimiterBytes(text: string, where: string): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (const match of text.matchAll(/\\(x[0-9A-Fa-f]{2}|x|.|$)/gs)) {
    const sequence = match[1]!;
    const byte = sequence.length === 3 ? Number.parseInt(sequence.slice(1), 16) : undefined;
    const char = ESCAPES[sequence];
    if (byte === undefined && char === undefined)
      throw badEscape(sequence, text, match.index, where);
    parts.push(Buffer.from(text.slice(from, match.index), 'utf8'));
    parts.push(byte === undefined ? Buffer.from(char!, 'utf8') : Buffer.from([byte]));
    from = match.index + match[0].length;
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/** The one line said of a backslash in `text` at `index` that is no escape. */
function badEscape(sequence: string, text: string, index: number, where: string): UsageError {
  if (sequence === 'x') {
    const given = text.slice(index, index + 4);
    return new UsageError(
      `${where}: ${quoteName(given)}: \\xHH takes two hex digits (\\x01 is the byte 1)`,
    );
  }
  const what = sequence === '' ? 'a \\ at the end' : quoteName(`\\${sequence}`);
  return new UsageError(
    `${where}: ${what} is no escape (escapes: ${ESCAPE_HELP}; a backslash itself is \\\\)`,
  );
}

/**
 * True when the bytes after every record are one ASCII byte: text records can be joined with
 * it, and, where it is a delimiter (not `lines:<n>`'s), text split at it after decoding UTF-8.
 */
export function isAsciiDelimiter(framing: Framing): boolean {
  const delimiter = recordDelimiter(framing);
  return delimiter !== null && delimiter.length === 1 && delimiter[0]! < 0x80;
}
