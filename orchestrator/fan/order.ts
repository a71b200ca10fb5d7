import { routingKey } from '../../filters/keys.js';
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
  return reverse
    ? (a, b) => byKey(routingKey(key, b), routingKey(key, a))
    : (a, b) => byKey(routingKey(key, a), routingKey(key, b));
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
