import type { KeySpec } from '../../filters/index.js';
import { type Bounds, fieldBounds } from '../../filters/keys.js';
import { hashBytes } from './hash.js';

const setBytes = Uint8Array.prototype.set;

/** Where each record of the block being cut ends, and its worker: reused from block to block. */
let recordEnds = new Uint32Array(1 << 16);
let recordTargets = new Uint32Array(1 << 16);

/** Each worker's records of a block, copied into one buffer, and how many there are. */
export interface Picked {
  buffers: Buffer[];
  counts: number[];
}

/** `table` copied into one twice its length. */
function doubled(table: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const larger = new Uint32Array(table.length * 2);
  larger.set(table);
  return larger;
}

/**
 * The fast path of hash dispatch, for records ended by one byte and keys that are the whole
 * record or a field. A first pass finds each record, hashes its key in place (the same FNV-1a
 * as `hashKey`, so records go where the general path would send them) and notes its end and
 * worker in typed arrays kept from block to block. A second pass copies each run of records
 * bound for one worker in one call. No object is made per record.
 */
export function partitionDelimited(
  data: Buffer,
  delimiter: number,
  key: Extract<KeySpec, { kind: 'whole' | 'field' }>,
  workers: number,
): Picked {
  const bounds: Bounds = { start: 0, end: 0 };
  const sizes = new Array<number>(workers).fill(0);
  const counts = new Array<number>(workers).fill(0);
  const length = data.length;
  let records = 0;
  let start = 0;
  while (start < length) {
    const at = data.indexOf(delimiter, start);
    const end = at < 0 ? length : at;
    let hash: number;
    if (key.kind === 'whole') hash = hashBytes(data, start, end);
    else {
      fieldBounds(data, start, end, key.index, key.separator, bounds);
      hash = hashBytes(data, bounds.start, bounds.end);
    }
    const target = hash % workers;
    if (records === recordEnds.length) {
      recordEnds = doubled(recordEnds);
      recordTargets = doubled(recordTargets);
    }
    recordEnds[records] = end;
    recordTargets[records++] = target;
    // A record without its final delimiter gets one, as every record in a part must end.
    sizes[target]! += end - start + 1;
    counts[target]!++;
    start = end + 1;
  }
  const buffers = sizes.map((size) => Buffer.allocUnsafe(size));
  const offsets = new Array<number>(workers).fill(0);
  const memory = data.buffer;
  const base = data.byteOffset;
  let runStart = 0;
  for (let i = 0; i < records; i++) {
    const target = recordTargets[i]!;
    if (i + 1 < records && recordTargets[i + 1] === target) continue;
    // The run ends after this record's delimiter, or at the end of the data when it has none.
    const runEnd = Math.min(recordEnds[i]! + 1, length);
    const buffer = buffers[target]!;
    // A plain Uint8Array view and TypedArray#set: half the cost of Buffer#copy, which checks
    // its arguments and makes the same view itself (runs here are a record or two long).
    setBytes.call(
      buffer,
      new Uint8Array(memory, base + runStart, runEnd - runStart),
      offsets[target],
    );
    offsets[target]! += runEnd - runStart;
    if (recordEnds[i] === length) buffer[offsets[target]!++] = delimiter;
    runStart = runEnd;
  }
  return { buffers, counts };
}
