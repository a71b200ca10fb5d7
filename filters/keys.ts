import { ExitCode, ManifoldError, quoteName, UsageError } from './errors.js';
import { delimiterBytes, isBlankRecord } from './framing/spec.js';
import { viewOf } from './framing/view.js';
import { parseJsonText } from './json-text.js';

/**
 * Which part of a record is its key, shared by all of manifold:
 * - `whole`: the whole record;
 * - `field:N`: the Nth field (1-based), fields split on runs of blanks (spaces, TABs, newlines)
 *   like awk, or on each
 *   `--field-sep` character; a missing field is empty;
 * - `json:<dot.path>`: a value inside an ndjson record (`json:user.id`, `json:items.0`).
 */
export type KeySpec =
  | { kind: 'whole' }
  | { kind: 'field'; index: number; separator: Buffer | null }
  | { kind: 'json'; path: string[] };

export const KEY_HELP = 'field:N, json:<dot.path> or whole';

/**
 * Whether a key spec, as given, reads a value inside a JSON record. Such a spec makes ndjson the
 * input framing unless `--split` says otherwise, in `manifold table build` and the mf-* filters
 * alike: a blank line between JSON records is then skipped, not a record that is not JSON.
 */
export function isJsonSpec(text: unknown): boolean {
  return typeof text === 'string' && text.startsWith('json:');
}

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;

/**
 * A blank between fields, as awk's default `FS` reads them: a space, a TAB, and a newline, which
 * lies inside a record of several lines (`-L 4`, `lines:4`: a FASTQ read's name is `field:1`).
 */
const isBlank = (byte: number) =>
  byte <= SPACE && (byte === SPACE || byte === TAB || byte === NEWLINE);

/** `what` and `separatorName` name the key and the separator in messages (`--key`, `--field-sep`). */
export function parseKeySpec(
  text: string,
  fieldSeparator?: string,
  what = 'key',
  separatorName = '--field-sep',
): KeySpec {
  if (text === 'whole') return { kind: 'whole' };
  const field = /^field:(\d+)$/.exec(text);
  if (field) {
    const index = Number(field[1]);
    if (index < 1) throw new UsageError(`${what} ${quoteName(text)}: fields are numbered from 1`);
    return { kind: 'field', index, separator: parseSeparator(fieldSeparator, separatorName) };
  }
  if (text.startsWith('json:')) {
    const path = text.slice('json:'.length).split('.');
    if (path.some((step) => step === '')) {
      throw new UsageError(`${what} ${quoteName(text)}: the path needs names between the dots`);
    }
    return { kind: 'json', path };
  }
  throw new UsageError(`${what} ${quoteName(text)} is not one of ${KEY_HELP}`);
}

/**
 * Refuses a field separator given (`given`, as typed, by `option`) where none of `specs` is a
 * field:N for it to split: it would be ignored, unsaid. `what` names the specs that could use it
 * (`--key`), `got` says what they are (`--key is whole`), as `manifold fan --field-sep` says it.
 */
export function refuseUnusedSeparator(
  given: string | undefined,
  specs: readonly (KeySpec | null)[],
  { option, what, got }: { option: string; what: string; got: string },
): void {
  if (given === undefined || specs.some((spec) => spec?.kind === 'field')) return;
  throw new UsageError(
    `${option} ${quoteName(given)} splits the fields of a field:N ${what}: it needs one (${got})`,
  );
}

/**
 * A field separator: one character, `tab`, or one escape of a `delim:` string (`\t`, `\xHH`),
 * read by the same parser, so `\q` is refused as `--split 'delim:\q'` is.
 */
export function parseSeparator(text: string | undefined, name: string): Buffer | null {
  if (text === undefined) return null;
  const said = `${name} ${quoteName(text)}`;
  const bytes = text === 'tab' ? Buffer.from('\t') : delimiterBytes(text, said);
  if (bytes.length !== 1 && !isOneCharacter(bytes)) {
    throw new UsageError(`${said} must be one character (or \\t, \\xHH)`);
  }
  return bytes;
}

/** Whether `bytes` are the UTF-8 of one character. */
function isOneCharacter(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  return [...text].length === 1 && Buffer.from(text, 'utf8').equals(bytes);
}

/** The key of a record's bytes: a view of the field, the whole record, or a JSON value's text. */
export function keyOf(spec: KeySpec, record: Buffer): Buffer {
  switch (spec.kind) {
    case 'whole':
      return record;
    case 'field': {
      const bounds = { start: 0, end: 0 };
      fieldBounds(record, 0, record.length, spec.index, spec.separator, bounds);
      return viewOf(record, bounds.start, bounds.end - bounds.start);
    }
    case 'json':
      return Buffer.from(keyOfValue(spec, parseJsonRecord(record)), 'utf8');
  }
}

/**
 * The key a fan routes and merges a record by: `keyOf`, but under a json: key a blank record
 * (a blank ndjson line, which every ndjson reader skips) has the empty key, as a record without
 * the key does, rather than failing as a record that is not JSON: the fan's hash dispatch and
 * sorted merge pass it on, whatever the framing (the fan reads lines by default).
 */
export function routingKey(spec: KeySpec, record: Buffer): Buffer {
  if (spec.kind === 'json' && isBlankRecord(record)) return EMPTY;
  return keyOf(spec, record);
}

const EMPTY = Buffer.alloc(0);

/**
 * A record read for a `json:` key. Not JSON is the record's problem, said as the SDK says it
 * for ndjson records (`stdin:2: invalid JSON: ...`), not as a bare `SyntaxError`.
 */
export function parseJsonRecord(record: Buffer): unknown {
  try {
    return parseJsonText(record.toString('utf8'));
  } catch (error) {
    throw new ManifoldError('manifold.record', `invalid JSON: ${(error as Error).message}`, {
      exitCode: ExitCode.failure,
    });
  }
}

/**
 * The key of a parsed JSON record as text: a string value as it is, a missing one as '',
 * anything else as JSON.
 */
export function keyOfValue(spec: KeySpec, value: unknown): string {
  let found = value;
  if (spec.kind === 'json') {
    found = valueAt(value, spec.path);
  } else if (spec.kind === 'field') {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return keyOf(spec, Buffer.from(text, 'utf8')).toString('utf8');
  }
  if (found === undefined) return '';
  return jsonKeyText(found, spec);
}

/**
 * A JSON value found for a key, as its text: a string as it is, anything else as JSON. Past 2^53
 * a JSON number is rounded as it is parsed (9007199254740993 reads as ...992): keys that differ
 * would be one, a join would match another's row. Said, not guessed at.
 */
export function jsonKeyText(found: unknown, spec: KeySpec): string {
  // A lone surrogate (`"\ud800"`) is written as U+FFFD's bytes, as every key is compared:
  // `"\ud800"` and `"\udfff"` are one key, not two written alike.
  if (typeof found === 'string') return (found as WellFormed).toWellFormed();
  if (typeof found === 'number' && !Number.isSafeInteger(found)) {
    // 1E400 reads as Infinity, which JSON writes as null: three keys would be one.
    const past = !Number.isFinite(found)
      ? `past a double's largest (read as ${found})`
      : Number.isInteger(found)
        ? `past 2^53 (read as ${JSON.stringify(found)})`
        : null;
    if (past !== null) {
      const name = spec.kind === 'json' ? `json:${spec.path.join('.')}` : spec.kind;
      throw new ManifoldError(
        'manifold.record',
        `the key ${name} is a number ${past}, which JSON numbers do not hold exactly: distinct keys could read as one; write such keys as strings ("9007199254740993")`,
        { exitCode: ExitCode.failure },
      );
    }
  }
  return JSON.stringify(found);
}

/** ES2024's String.prototype.toWellFormed, in Node 20; not yet in TypeScript's ES2023 lib. */
type WellFormed = string & { toWellFormed(): string };

/**
 * The value at `path` in a parsed JSON value, or undefined where there is none. Only the data's
 * own keys count: `json:constructor` of `{"x":1}` is missing, not JavaScript's Object function
 * (nor `__proto__` its prototype), which keyed records by `{}` or crashed a build; an array's
 * `length` is no key either.
 */
export function valueAt(value: unknown, path: readonly string[]): unknown {
  let found = value;
  for (const step of path) {
    if (found === null || typeof found !== 'object') return undefined;
    // An array's keys are its indexes (`items.0`), not `length`.
    const own = Array.isArray(found) ? /^(0|[1-9]\d*)$/.test(step) : true;
    if (!own || !Object.hasOwn(found, step)) return undefined;
    found = (found as Record<string, unknown>)[step];
  }
  return found;
}

/** Where a field lies: set by `fieldBounds`; a missing field is empty (start = end). */
export interface Bounds {
  start: number;
  end: number;
}

/**
 * Finds field `index` (1-based) of the record in data[from, to): on runs of blanks (spaces,
 * TABs and newlines), leading blanks ignored, as awk splits; or on each `separator`, empty fields included. It writes the
 * bounds into `out` rather than making an object or a view, for callers on a hot path (hash
 * dispatch hashes the field where it lies).
 */
export function fieldBounds(
  data: Uint8Array,
  from: number,
  to: number,
  index: number,
  separator: Buffer | null,
  out: Bounds,
): void {
  out.start = out.end = to;
  if (separator === null) {
    let i = from;
    let field = 0;
    while (i < to) {
      while (i < to && isBlank(data[i]!)) i++;
      if (i === to) return;
      const start = i;
      while (i < to && !isBlank(data[i]!)) i++;
      if (++field === index) {
        out.start = start;
        out.end = i;
        return;
      }
    }
    return;
  }
  let start = from;
  for (let field = 1; field < index; field++) {
    const at = findSeparator(data, separator, start, to);
    if (at < 0) return;
    start = at + separator.length;
  }
  const end = findSeparator(data, separator, start, to);
  out.start = start;
  out.end = end < 0 ? to : end;
}

/** How far a byte is looked for in JavaScript before `indexOf` (a native call) takes over. */
const NEAR = 32;

/**
 * Where `separator` starts in `data[from, to)`, or -1. Fields are short: a one-byte separator
 * is looked for byte by byte over the first bytes, as a call into `indexOf` costs more than
 * a short loop (mf-join's and hash dispatch's keys are a few bytes long).
 */
function findSeparator(data: Uint8Array, separator: Buffer, from: number, to: number): number {
  if (separator.length === 1) {
    const byte = separator[0]!;
    const near = Math.min(to, from + NEAR);
    for (let i = from; i < near; i++) if (data[i] === byte) return i;
    if (near === to) return -1;
    const at = (data as Buffer).indexOf(byte, near);
    return at < 0 || at >= to ? -1 : at;
  }
  const at = (data as Buffer).indexOf(separator, from);
  return at < 0 || at + separator.length > to ? -1 : at;
}
