import { quoteName, UsageError } from './errors.js';
import { type KeySpec, parseKeySpec } from './keys.js';

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
 * An exact sum's mean is exact when it is whole; otherwise, as every mean, a double: the one
 * nearest the exact quotient, rounded once (its whole part made a double first, then its fraction
 * added, rounded twice past 2^53: the mean of 9007199254740993 and ...994 was ...992).
 */
function meanOf(sum: Value, count: number): Value {
  if (typeof sum === 'number') return sum / count;
  const n = BigInt(count);
  return sum % n === 0n ? sum / n : nearestDouble(sum, n);
}

/**
 * The double nearest `sum / n`: a quotient of at least 64 bits, the remainder's being kept as a
 * sticky last bit, which Number() rounds to 53 once; a power of two then places the point.
 */
function nearestDouble(sum: bigint, n: bigint): number {
  const size = sum < 0n ? -sum : sum;
  const shift = Math.max(0, 64 - (size.toString(2).length - n.toString(2).length));
  const scaled = size << BigInt(shift);
  let quotient = scaled / n;
  if (scaled % n !== 0n) quotient |= 1n;
  const value = Number(quotient) / 2 ** shift;
  return sum < 0n ? -value : value;
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

/** A decimal as written (reduce-extract.ts's NUMBER grammar): its sign, its significant digits, where its point is. */
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
