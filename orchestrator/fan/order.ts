import { keyOf } from '../../filters/index.js';
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
    : Buffer.compare;
  if (key.kind === 'whole') return reverse ? (a, b) => byKey(b, a) : byKey;
  return reverse
    ? (a, b) => byKey(keyOf(key, b), keyOf(key, a))
    : (a, b) => byKey(keyOf(key, a), keyOf(key, b));
}
