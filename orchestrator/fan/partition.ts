import { placeAt } from '../../filters/errors.js';
import { framingBytes } from '../../filters/framing/boundary.js';
import { recordDelimiter } from '../../filters/framing/spec.js';
import { createDecoder, type Framing, type KeySpec } from '../../filters/index.js';
import { routingKey } from '../../filters/keys.js';
import { type Block, withoutBytes } from '../workers/block.js';
import { hashBytes, workerOf } from './hash.js';
import { type LineKey, LinePartitioner, type Picked } from './partition-lines.js';

/** The hash that picks a key's worker. */
export const hashKey = (key: Uint8Array): number => hashBytes(key);

/**
 * Cuts each block into one block per worker by the hash of each record's key. Records keep their
 * input order within each part. Made once per fan: the fast path keeps each worker's pieces
 * (the memory its parts are copied into) from block to block.
 */
export class HashPartitioner {
  readonly #workers: number;
  readonly #framing: Framing;
  readonly #key: KeySpec;
  readonly #lines: LinePartitioner | null;
  /** Records of the blocks split so far: the next block's first record, less one. */
  #records = 0;

  /** `maxRecordName`: --max-record as messages spell it (a config's `max-record`). */
  constructor(
    workers: number,
    framing: Framing,
    key: KeySpec,
    maxRecord: number,
    { maxRecordName = '--max-record' } = {},
  ) {
    this.#workers = workers;
    this.#framing = framing;
    this.#key = key;
    const delimiter = fastDelimiter(framing, key);
    this.#lines =
      delimiter === null
        ? null
        : new LinePartitioner(delimiter, key as LineKey, workers, maxRecord, maxRecordName);
  }

  /** How many records the blocks split so far held. */
  get records(): number {
    return this.#records;
  }

  /**
   * One block per worker, or null for a worker given no record of `block`. A block cut without
   * counting its records (`records` -1: `EndsSplitter`) is numbered here, as its records are read
   * (from its `firstRecord` where it has one: the first after a header).
   */
  split(block: Block, nextSeq: () => number): (Block | null)[] {
    if (block.records < 0) block.firstRecord = Math.max(block.firstRecord, this.#records + 1);
    const picked =
      this.#lines === null
        ? partitionRecords(block, this.#workers, this.#framing, this.#key)
        : this.#lines.pick(block.parts, block.firstRecord);
    if (block.records < 0) block.records = picked.counts.reduce((sum, n) => sum + n, 0);
    this.#records = block.firstRecord - 1 + block.records;
    return partsOf(block, picked, nextSeq);
  }
}

/**
 * The one-byte delimiter of the fast path of hash dispatch (`LinePartitioner`), or null when
 * records or keys need the general one. On the fast path every record is read by the partitioner
 * anyway, so the splitter need not count them (`EndsSplitter`).
 */
export function fastDelimiter(framing: Framing, key: KeySpec): number | null {
  return framing.kind === 'delimited' &&
    framing.delimiter.length === 1 &&
    (key.kind === 'whole' || key.kind === 'field')
    ? framing.delimiter[0]!
    : null;
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
  const overhead = framingBytes(framing);
  let i = 0;
  try {
    for (; i < records.length; i++) {
      const target = workerOf(hashKey(routingKey(key, records[i]!)), workers);
      targets[i] = target;
      sizes[target]! += records[i]!.length + overhead;
      counts[target]!++;
    }
  } catch (error) {
    // A record whose key cannot be read (not JSON) is named by its number in the input.
    throw placeAt({ input: 'input', record: block.firstRecord + i }, error);
  }
  // The input's last record may lack its delimiter: given on so, as the other dispatches give it.
  const delimiter = recordDelimiter(framing);
  const open = delimiter !== null && records.length > 0 && !endsWith(block.parts, delimiter);
  if (open) sizes[targets[records.length - 1]!]! -= delimiter.length;
  const buffers = sizes.map((size) => Buffer.allocUnsafe(size));
  const offsets = new Array<number>(workers).fill(0);
  for (let i = 0; i < records.length; i++) {
    const target = targets[i]!;
    const ended = !open || i < records.length - 1;
    offsets[target] = writeRecord(buffers[target]!, offsets[target]!, records[i]!, framing, ended);
  }
  return { parts: buffers.map((buffer) => [buffer]), bytes: sizes, counts };
}

/**
 * One block per worker from the views picked for each. The parts name the block they were
 * picked from without its bytes: they hold copies of its records, and keeping the input's
 * buffers alive as well would double the memory.
 */
function partsOf(
  block: Block,
  { parts, bytes, counts, releases }: Picked,
  nextSeq: () => number,
): (Block | null)[] {
  const source = withoutBytes(block);
  return parts.map((views, worker) => {
    const part = partOf(source, views, bytes[worker]!, counts[worker]!, nextSeq);
    const release = releases?.[worker];
    if (part !== null && release !== undefined) part.release = release;
    return part;
  });
}

/** One worker's part of a block, or null when no record of the block is its. */
function partOf(
  block: Block,
  parts: Buffer[],
  bytes: number,
  records: number,
  nextSeq: () => number,
): Block | null {
  if (records === 0) return null;
  return {
    seq: nextSeq(),
    parts,
    bytes,
    firstRecord: block.firstRecord,
    records,
    failures: 0,
    scatteredFrom: block,
  };
}

/** Writes `record` with its framing (its delimiter when `ended`) at `offset`; returns the end. */
function writeRecord(
  target: Buffer,
  offset: number,
  record: Buffer,
  framing: Framing,
  ended: boolean,
): number {
  let at = offset;
  if (framing.kind === 'frames') at = target.writeUInt32BE(record.length, at);
  at += record.copy(target, at);
  const delimiter = recordDelimiter(framing);
  if (delimiter !== null && ended) at += delimiter.copy(target, at);
  return at;
}

/** Whether the bytes of `parts`, in turn, end with `suffix` (which may span parts). */
function endsWith(parts: readonly Buffer[], suffix: Buffer): boolean {
  let left = suffix.length;
  for (let p = parts.length - 1; p >= 0 && left > 0; p--) {
    const part = parts[p]!;
    const n = Math.min(left, part.length);
    if (part.compare(suffix, left - n, left, part.length - n, part.length) !== 0) return false;
    left -= n;
  }
  return left === 0;
}
