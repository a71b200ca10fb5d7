import { createDecoder, type Framing, type KeySpec, keyOf } from '../../filters/index.js';
import { type Block, withoutBytes } from '../workers/block.js';
import { hashBytes } from './hash.js';
import { type Picked, partitionDelimited } from './partition-lines.js';

/** The hash that picks a key's worker. */
export const hashKey = (key: Uint8Array): number => hashBytes(key);

/**
 * Cuts a block into one block per worker by the hash of each record's key. Records keep their
 * input order within each part; every part is copied into one buffer, framing included.
 */
export function partitionBlock(
  block: Block,
  workers: number,
  framing: Framing,
  key: KeySpec,
  nextSeq: () => number,
): (Block | null)[] {
  if (
    framing.kind === 'delimited' &&
    framing.delimiter.length === 1 &&
    (key.kind === 'whole' || key.kind === 'field')
  ) {
    const data =
      block.parts.length === 1 ? block.parts[0]! : Buffer.concat(block.parts, block.bytes);
    return partsOf(block, partitionDelimited(data, framing.delimiter[0]!, key, workers), nextSeq);
  }
  return partsOf(block, partitionRecords(block, workers, framing, key), nextSeq);
}

/** The general path: each record decoded, its key hashed, and copied with its framing. */
function partitionRecords(block: Block, workers: number, framing: Framing, key: KeySpec): Picked {
  const decoder = createDecoder(framing, { maxRecord: Number.MAX_SAFE_INTEGER });
  const records: Buffer[] = [];
  for (const part of block.parts) decoder.push(part, records);
  decoder.end(records);
  const targets = new Uint32Array(records.length);
  const sizes = new Array<number>(workers).fill(0);
  const counts = new Array<number>(workers).fill(0);
  const overhead = framingOverhead(framing);
  for (let i = 0; i < records.length; i++) {
    const target = hashKey(keyOf(key, records[i]!)) % workers;
    targets[i] = target;
    sizes[target]! += records[i]!.length + overhead;
    counts[target]!++;
  }
  const buffers = sizes.map((size) => Buffer.allocUnsafe(size));
  const offsets = new Array<number>(workers).fill(0);
  for (let i = 0; i < records.length; i++) {
    const target = targets[i]!;
    offsets[target] = writeRecord(buffers[target]!, offsets[target]!, records[i]!, framing);
  }
  return { buffers, counts };
}

/**
 * One block per worker from the buffers picked for each. The parts name the block they were
 * picked from without its bytes: they hold copies of its records, and keeping the input's
 * buffers alive as well would double the memory.
 */
function partsOf(
  block: Block,
  { buffers, counts }: Picked,
  nextSeq: () => number,
): (Block | null)[] {
  const source = withoutBytes(block);
  return buffers.map((buffer, worker) => partOf(source, buffer, counts[worker]!, nextSeq));
}

/** One worker's part of a block, or null when no record of the block is its. */
function partOf(
  block: Block,
  buffer: Buffer,
  records: number,
  nextSeq: () => number,
): Block | null {
  if (records === 0) return null;
  return {
    seq: nextSeq(),
    parts: [buffer],
    bytes: buffer.length,
    firstRecord: block.firstRecord,
    records,
    failures: 0,
    scatteredFrom: block,
  };
}

function framingOverhead(framing: Framing): number {
  if (framing.kind === 'delimited') return framing.delimiter.length;
  return framing.kind === 'frames' ? 4 : 0;
}

function writeRecord(target: Buffer, offset: number, record: Buffer, framing: Framing): number {
  let at = offset;
  if (framing.kind === 'frames') at = target.writeUInt32BE(record.length, at);
  at += record.copy(target, at);
  if (framing.kind === 'delimited') at += framing.delimiter.copy(target, at);
  return at;
}
