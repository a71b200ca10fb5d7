import { ExitCode, ManifoldError, quoteName, UsageError } from './errors.js';
import { parseJsonText } from './json-text.js';
import { type KeySpec, keyOf, keyOfValue, parseKeySpec, valueAt } from './keys.js';

/** The aggregates `mf-reduce` computes per key. */
export const OPERATIONS = ['count', 'sum', 'min', 'max', 'mean'] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * A value: a number, or a bigint for an integer given in digits past 2^53, which a double would
 * round (9007199254740993 read as ...992).
 */
export type Value = number | bigint;

/** A running aggregate: enough to answer any operation. */
export interface Aggregate {
  count: number;
  /** A number while exact; past 2^53 a bigint, while every value is an integer. */
  sum: Value;
  /** Whether every value so far is an integer: their sum is then kept exact. */
  integral: boolean;
  /**
   * The sum times 2^-64 once a sum of doubles has left a double's range, null before: a sum that
   * comes back within it (1e308 + 1e308 - 1e308) and a mean (of 1e308 and 1e308) are said, as
   * a wider double would; by a power of two, each step rounds as the sum's would.
   */
  scaled: number | null;
  min: Value;
  max: Value;
  /** The least and the greatest value as written (blanks around it left out), printed as awk prints `$2`. */
  minText: string;
  maxText: string;
}

export function parseOperation(text: string): Operation {
  if ((OPERATIONS as readonly string[]).includes(text)) return text as Operation;
  throw new UsageError(`operation ${quoteName(text)} is not one of ${OPERATIONS.join(', ')}`);
}

/** A numeric field is a key spec too; a bare number `3` means `field:3`. */
export function parseValueSpec(text: string, fieldSeparator?: string): KeySpec {
  return parseKeySpec(/^\d+$/.test(text) ? `field:${text}` : text, fieldSeparator, 'field');
}

/**
 * Adds a record's value to its key's aggregate, `text` the value as written; true when the key is
 * new.
 */
export function addValue(
  groups: Map<string, Aggregate>,
  key: string,
  value: Value,
  text: string,
): boolean {
  const aggregate = groups.get(key);
  if (aggregate === undefined) {
    const integral = isIntegral(value);
    const written = text.trim();
    groups.set(key, {
      count: 1,
      sum: value,
      integral,
      scaled: null,
      min: value,
      max: value,
      minText: written,
      maxText: written,
    });
    return true;
  }
  aggregate.count++;
  aggregate.integral &&= isIntegral(value);
  const before = aggregate.sum;
  aggregate.sum = add(before, value, aggregate.integral);
  if (aggregate.scaled !== null) aggregate.scaled += Number(value) * SCALE;
  else if (typeof aggregate.sum === 'number' && !Number.isFinite(aggregate.sum))
    aggregate.scaled = Number(before) * SCALE + Number(value) * SCALE;
  if (compare(value, text, aggregate.min, aggregate.minText) < 0) {
    aggregate.min = value;
    aggregate.minText = text.trim();
  }
  if (compare(value, text, aggregate.max, aggregate.maxText) > 0) {
    aggregate.max = value;
    aggregate.maxText = text.trim();
  }
  return false;
}

const SCALE = 2 ** -64;

/**
 * Whether a value is an integer held exactly: a bigint (digits past 2^53), or a double no larger
 * than 2^53. A larger double (`1e23`, a JSON number) is already rounded, so sums with it are
 * doubles, as awk's: made a bigint, it would print digits nobody wrote (`1e23` as
 * 99999999999999991611392).
 */
function isIntegral(value: Value): boolean {
  return typeof value === 'bigint' || Number.isSafeInteger(value);
}

/**
 * `sum + value`: exact for integers, as awk's is not (its doubles round past 2^53 without a
 * word, and "no data silently lost" is the rule here); a double once a fraction is among them.
 */
function add(sum: Value, value: Value, integral: boolean): Value {
  if (typeof sum === 'number' && typeof value === 'number') {
    const next = sum + value;
    if (!integral || Number.isSafeInteger(next)) return next;
    return BigInt(sum) + BigInt(value);
  }
  if (integral) return BigInt(sum) + BigInt(value);
  return Number(sum) + Number(value);
}

export function resultOf(aggregate: Aggregate, operation: Operation): Value | string {
  switch (operation) {
    case 'count':
      return aggregate.count;
    case 'sum':
      return aggregate.scaled === null ? aggregate.sum : aggregate.scaled / SCALE;
    // As written, as awk prints `$2`: a double of it may print as a value not written.
    case 'min':
      return aggregate.minText;
    case 'max':
      return aggregate.maxText;
    case 'mean':
      if (aggregate.scaled !== null) return aggregate.scaled / aggregate.count / SCALE;
      return meanOf(aggregate.sum, aggregate.count);
  }
}

/**
 * An exact sum's mean is exact when it is whole; otherwise, as every mean, a double: its whole
 * part and its fraction, each rounded once (the sum made a double first would round twice).
 */
function meanOf(sum: Value, count: number): Value {
  if (typeof sum === 'number') return sum / count;
  const n = BigInt(count);
  const whole = sum / n;
  const rest = sum % n;
  return rest === 0n ? whole : Number(whole) + Number(rest) / count;
}

/**
 * How one record becomes a key and a number. Keys from bytes are kept as latin1 strings, which
 * keep every byte and sort in byte order; keys from JSON are UTF-8 text.
 */
export interface Extractor {
  keyEncoding: 'latin1' | 'utf8';
  /**
   * Returns the key, the value and its text of a record, or throws a message naming what was
   * wrong.
   */
  extract(record: Buffer): [string, Value, string];
}

/** How a parsed JSON record becomes a key and a number, for a json: key and value. */
export function createJsonExtractor(
  key: KeySpec,
  value: KeySpec | null,
): (record: unknown) => [string, Value, string] {
  return (record) => {
    if (value === null) return [keyOfValue(key, record), 1, '1'];
    return [keyOfValue(key, record), ...numberAt(value, record)];
  };
}

export function createExtractor(key: KeySpec, value: KeySpec | null): Extractor {
  const json = key.kind === 'json' || value?.kind === 'json';
  if (json) {
    // A whole record or a field as the key keeps its bytes (latin1), as without JSON values: a
    // field of the record as read, not of the JSON written again.
    const bytes = key.kind !== 'json';
    return {
      keyEncoding: bytes ? 'latin1' : 'utf8',
      extract(record) {
        const parsed = parseRecord(record);
        const name = bytes ? keyOf(key, record).toString('latin1') : keyOfValue(key, parsed);
        if (value === null) return [name, 1, '1'];
        return [name, ...numberAt(value, parsed)];
      },
    };
  }
  return {
    keyEncoding: 'latin1',
    extract(record) {
      const name = keyOf(key, record).toString('latin1');
      if (value === null) return [name, 1, '1'];
      const bytes = keyOf(value, record);
      const text = bytes.toString('latin1');
      return [name, toNumber(text, value, bytes), text];
    },
  };
}

/**
 * A value of a parsed record and its text: a JSON number as JSON.parse read it, a double (past
 * 2^53 too, as binaries.md says: no key, so no refusal); anything else read from its text.
 */
function numberAt(spec: KeySpec, parsed: unknown): [Value, string] {
  const found = spec.kind === 'json' ? valueAt(parsed, spec.path) : undefined;
  if (typeof found !== 'number') {
    const text = keyOfValue(spec, parsed);
    return [toNumber(text, spec), text];
  }
  // 1E400 reads as Infinity: out of range, as the same digits in a field are.
  if (!Number.isFinite(found))
    throw recordProblem(
      `${whereOf(spec)} is out of range (past a double's largest, ${Number.MAX_VALUE}): read as ${found}`,
    );
  const text = String(found);
  return [toNumber(text, spec), text];
}

function whereOf(spec: KeySpec): string {
  if (spec.kind === 'field') return `field ${spec.index}`;
  return spec.kind === 'json' ? `json:${spec.path.join('.')}` : 'the record';
}

/** `bytes`: the value's own bytes, shown as UTF-8 in the message (`text` may be their latin1). */
function toNumber(text: string, spec: KeySpec, bytes?: Buffer): Value {
  const value = NUMBER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) {
    const where = whereOf(spec);
    const shown = JSON.stringify(bytes?.toString('utf8') ?? text);
    // A record without the field has it empty: `is not a number: ""` read as an empty string.
    throw recordProblem(
      text === ''
        ? `${where} is missing or empty`
        : Number.isNaN(value)
          ? `${where} is not a number: ${shown}`
          : `${where} is out of range (past a double's largest, ${Number.MAX_VALUE}): ${shown}`,
    );
  }
  // Digits past 2^53 are read exactly: a double would round them.
  if (!Number.isSafeInteger(value) && DIGITS.test(text)) return BigInt(text);
  return value;
}

// A number as awk (POSIX strtod) reads one, in decimal only: a sign, digits with or without a
// fraction (`5.`, `.5`), an exponent, C's blanks around it. Not JavaScript's Number() grammar,
// which also reads `0x10` as 16, `0b1`, `0o7` and `Infinity`; nor awk's leniency, which reads a
// number's start (`12abc` as 12, `x` as 0): a value that is not all a number stops the filter.
const NUMBER = /^[ \t\n\v\f\r]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[ \t\n\v\f\r]*$/;

/** An integer in digits, blanks around it allowed, as NUMBER allows them. */
const DIGITS = /^[ \t\n\v\f\r]*[+-]?\d+[ \t\n\v\f\r]*$/;

/** An ndjson record, or the problem said as the SDK says it for JSON records. */
function parseRecord(record: Buffer): unknown {
  try {
    return parseJsonText(record.toString('utf8'));
  } catch (error) {
    throw recordProblem(`invalid JSON: ${(error as Error).message}`);
  }
}

/**
 * A record's problem in mf-reduce's own words: a manifold error, so that the record's line says
 * the message alone (`stdin:2: field 2 is not a number: "two"`), not `Error: ` before it.
 */
function recordProblem(message: string): ManifoldError {
  return new ManifoldError('manifold.record', message, { exitCode: ExitCode.failure });
}

/**
 * `a` against `b` (negative, 0, positive). Doubles below 2^53 compare as doubles, as awk's do;
 * past it, where a bigint meets a double (digits past 2^53 and a value with a fraction), each
 * rounded its own way, the values as written are compared exactly: `99999999999999999998.5`, a
 * double of 1e20, read as more than `99999999999999999999`.
 */
function compare(a: Value, aText: string, b: Value, bText: string): number {
  const exact =
    typeof a === 'bigint' ||
    typeof b === 'bigint' ||
    Math.abs(a) >= 2 ** 53 ||
    Math.abs(b) >= 2 ** 53;
  if (!exact) return a < b ? -1 : a > b ? 1 : 0;
  return compareDecimal(decimalOf(aText), decimalOf(bText));
}

/** A decimal as written (NUMBER's grammar): its sign, its significant digits, where its point is. */
interface Decimal {
  sign: -1 | 0 | 1;
  digits: string;
  point: number;
}

function decimalOf(text: string): Decimal {
  const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match ?? [];
  const all = whole + fraction;
  const lead = all.search(/[1-9]/);
  if (lead < 0) return { sign: 0, digits: '', point: 0 };
  const digits = all.slice(lead).replace(/0+$/, '');
  return { sign: sign === '-' ? -1 : 1, digits, point: whole.length + Number(exponent) - lead };
}

function compareDecimal(a: Decimal, b: Decimal): number {
  if (a.sign !== b.sign) return a.sign - b.sign;
  if (a.sign === 0) return 0;
  // Same sign: the one with more digits before its point is the larger in magnitude.
  let magnitude = a.point - b.point;
  if (magnitude === 0) magnitude = a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0;
  return Math.sign(magnitude) * a.sign;
}
