import type { KeySpec } from '../../filters/index.js';

const SPACE = 0x20;
const TAB = 0x09;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

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
  const field = key.kind === 'field' ? key.index : 0;
  const separator =
    key.kind === 'field' && key.separator !== null && key.separator.length === 1
      ? key.separator[0]!
      : -1;
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
    const hash =
      field === 0
        ? hashRange(data, start, recordEnd)
        : separator < 0
          ? hashBlankField(data, start, recordEnd, field)
          : hashSeparatedField(data, start, recordEnd, field, separator);
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

function hashRange(data: Buffer, from: number, to: number): number {
  let hash = FNV_OFFSET;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ data[i]!, FNV_PRIME);
  return hash >>> 0;
}

/** The hash of the Nth field, fields split on runs of blanks as awk does; a missing one is empty. */
function hashBlankField(data: Buffer, from: number, to: number, index: number): number {
  let i = from;
  let field = 0;
  while (i < to) {
    while (i < to && (data[i] === SPACE || data[i] === TAB)) i++;
    if (i === to) break;
    const start = i;
    while (i < to && data[i] !== SPACE && data[i] !== TAB) i++;
    if (++field === index) return hashRange(data, start, i);
  }
  return FNV_OFFSET;
}

function hashSeparatedField(
  data: Buffer,
  from: number,
  to: number,
  index: number,
  separator: number,
): number {
  let start = from;
  for (let field = 1; field < index; field++) {
    const at = data.indexOf(separator, start);
    if (at < 0 || at >= to) return FNV_OFFSET;
    start = at + 1;
  }
  const at = data.indexOf(separator, start);
  return hashRange(data, start, at < 0 || at >= to ? to : at);
}
