import { isBlankRecord } from '../../filters/framing/spec.js';
import type { KeySpec } from '../../filters/index.js';
import { keyOfValue, parseJsonRecord, routingKey, valueAt } from '../../filters/keys.js';
import { compareNumbers } from './numeric.js';
import type { FanOptions } from './options.js';

/**
 * The order of `--merge sorted`: by the key's bytes, or by its number (`--numeric`, as `sort -n`)
 * and then its bytes, largest first under `--reverse`. Records equal by it are ties, which a
 * merge keeps in the order of their runs. `sort -m` is given the same order (sort-merge/plan.ts).
 */
export function recordOrder(
  options: Pick<FanOptions, 'key' | 'numeric' | 'reverse'>,
): (a: Buffer, b: Buffer) => number {
  const { key, numeric, reverse } = options;
  const byKey = numeric
    ? (a: Buffer, b: Buffer) => compareNumbers(a, b) || Buffer.compare(a, b)
    : compareBytes;
  if (key.kind === 'whole') return reverse ? (a, b) => byKey(b, a) : byKey;
  // A blank record has the empty json: key (keys.ts), as under hash dispatch.
  const keyOf =
    numeric && key.kind === 'json'
      ? numericJsonKey(key)
      : (record: Buffer) => routingKey(key, record);
  return reverse ? (a, b) => byKey(keyOf(b), keyOf(a)) : (a, b) => byKey(keyOf(a), keyOf(b));
}

/**
 * A json: key read for `--numeric`: a JSON number as its plain decimal digits, where its JSON
 * text has an exponent (1e-7 for 0.0000001, which sort -n's rules read as 1: misordered, and a
 * worker's correct order refused); anything else as the key's text, as for every merge.
 */
function numericJsonKey(key: KeySpec & { kind: 'json' }): (record: Buffer) => Buffer {
  return (record) => {
    if (isBlankRecord(record)) return routingKey(key, record);
    const parsed = parseJsonRecord(record);
    const value = valueAt(parsed, key.path);
    if (typeof value === 'number') return Buffer.from(plainDecimal(value));
    return Buffer.from(keyOfValue(key, parsed));
  };
}

/** A number's decimal digits with no exponent: 1e-7 as 0.0000001, 1e+21 as 1 and 21 zeros. */
export function plainDecimal(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign, lead, fraction = '', power] = match;
  const exponent = Number(power);
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${lead}${fraction}`;
  return `${sign}${lead}${fraction}${'0'.repeat(exponent - fraction.length)}`;
}

/** When the shorter of two records has at most this many bytes, they are compared here. */
const SHORT = 24;

/**
 * `Buffer.compare`, done in JavaScript for short records: a call into C++ costs more than
 * comparing a few bytes (on 8-byte lines it was a seventh of a merge's time).
 */
export function compareBytes(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  if (length > SHORT) return Buffer.compare(a, b);
  for (let i = 0; i < length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
