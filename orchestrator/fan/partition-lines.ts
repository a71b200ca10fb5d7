import type { KeySpec } from '../../filters/index.js';
import { type Bounds, fieldBounds } from '../../filters/keys.js';
import { hashBytes } from './hash.js';

/**
 * The fast path of hash dispatch, for records ended by one byte and keys that are the whole
 * record or a field: one pass over the bytes finds each record, hashes its key in place (the
 * same FNV-1a as `hashKey`, so records go where the general path would send them) and sends
 * runs of records bound for the same worker in one copy. No object is made per record.
 */
export function partitionDelimited(
  data: Buffer,
  delimiter: number,
  key: Extract<KeySpec, { kind: 'whole' | 'field' }>,
  workers: number,
): { buffers: Buffer[]; counts: number[] } {
  const bounds: Bounds = { start: 0, end: 0 };
  // First pass: where each record goes; runs of records for one worker are kept as ranges.
  const runStarts: number[] = [];
  const runEnds: number[] = [];
  const runTargets: number[] = [];
  const sizes = new Array<number>(workers).fill(0);
  const counts = new Array<number>(workers).fill(0);
  let start = 0;
  const length = data.length;
  while (start < length) {
    let end = data.indexOf(delimiter, start);
    const recordEnd = end < 0 ? length : end;
    end = end < 0 ? length : end + 1;
    let hash: number;
    if (key.kind === 'whole') hash = hashBytes(data, start, recordEnd);
    else {
      fieldBounds(data, start, recordEnd, key.index, key.separator, bounds);
      hash = hashBytes(data, bounds.start, bounds.end);
    }
    const target = hash % workers;
    // A record without its final delimiter gets one, as every record in a part must end.
    const size = recordEnd - start + 1;
    sizes[target]! += size;
    counts[target]!++;
    const last = runTargets.length - 1;
    if (
      last >= 0 &&
      runTargets[last] === target &&
      runEnds[last] === start &&
      end === recordEnd + 1
    ) {
      runEnds[last] = end;
    } else {
      runStarts.push(start);
      runEnds.push(end === recordEnd + 1 ? end : recordEnd);
      runTargets.push(target);
    }
    start = end;
  }
  const buffers = sizes.map((size) => Buffer.allocUnsafe(size));
  const offsets = new Array<number>(workers).fill(0);
  for (let i = 0; i < runTargets.length; i++) {
    const target = runTargets[i]!;
    const buffer = buffers[target]!;
    offsets[target]! += data.copy(buffer, offsets[target]!, runStarts[i]!, runEnds[i]!);
    if (runEnds[i] === length && (length === 0 || data[length - 1] !== delimiter)) {
      buffer[offsets[target]!++] = delimiter;
    }
  }
  return { buffers, counts };
}
