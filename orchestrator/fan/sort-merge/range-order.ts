import { viewOf } from '../../../filters/framing/view.js';
import { fieldBounds } from '../../../filters/keys.js';
import type { FanOptions } from '../options.js';
import { recordOrder } from '../order.js';

/** The merge's order (order.ts) of two records given as byte ranges [start, end) of Buffers. */
export type RangeOrder = (
  a: Buffer,
  aStart: number,
  aEnd: number,
  b: Buffer,
  bStart: number,
  bEnd: number,
) => number;

/**
 * order.ts's order, over records where they lie. The check of a merged output compares every
 * record with the one before: by bytes (a whole record, or a field found in place) it makes no
 * view and calls nothing native, since adjacent sorted records mostly differ within a few bytes
 * and a native call costs more than that. Numbers go through order.ts itself.
 */
export function rangeOrder(options: Pick<FanOptions, 'key' | 'numeric' | 'reverse'>): RangeOrder {
  const { key, numeric, reverse } = options;
  if (numeric || key.kind === 'json') {
    const order = recordOrder(options);
    return (a, aStart, aEnd, b, bStart, bEnd) =>
      order(viewOf(a, aStart, aEnd - aStart), viewOf(b, bStart, bEnd - bStart));
  }
  const sign = reverse ? -1 : 1;
  if (key.kind === 'whole') {
    return (a, aStart, aEnd, b, bStart, bEnd) =>
      sign * compareBytes(a, aStart, aEnd, b, bStart, bEnd);
  }
  const { index, separator } = key;
  const x = { start: 0, end: 0 };
  const y = { start: 0, end: 0 };
  return (a, aStart, aEnd, b, bStart, bEnd) => {
    fieldBounds(a, aStart, aEnd, index, separator, x);
    fieldBounds(b, bStart, bEnd, index, separator, y);
    return sign * compareBytes(a, x.start, x.end, b, y.start, y.end);
  };
}

/** Byte order of two ranges, as `Buffer.compare` (a prefix comes first). */
export function compareBytes(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < length; i++) {
    const d = a[aStart + i]! - b[bStart + i]!;
    if (d !== 0) return d;
  }
  return aEnd - aStart - (bEnd - bStart);
}
