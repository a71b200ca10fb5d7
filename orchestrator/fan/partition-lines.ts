import { type KeySpec, recordTooLarge } from '../../filters/index.js';
import { type Bounds, fieldBounds } from '../../filters/keys.js';
import { hashBytes, workerOf } from './hash.js';
import { PieceWriter } from './pieces.js';

/** Each worker's records of a block, as views of its pieces, and how many there are. */
export interface Picked {
  parts: Buffer[][];
  bytes: number[];
  counts: number[];
  /** Per worker, what lets its part's memory be reused once written (`Block.release`). */
  releases?: (() => void)[];
}

/** A key of the fast path: the whole record, or a field. */
export type LineKey = Extract<KeySpec, { kind: 'whole' | 'field' }>;

/**
 * The fast path of hash dispatch, for records ended by one byte and keys that are the whole
 * record or a field. One pass over the block's own views (no joining them first): each record
 * is found by one `indexOf`, its key hashed in place (the same FNV-1a as `hashKey`, so records
 * go where the general path would send them), and each run of records bound for one worker is
 * copied in one call into that worker's pieces (`PieceWriter`), which are reused from block to
 * block until full. No object is made per record, and no large buffer is allocated per block.
 */
export class LinePartitioner {
  readonly #delimiter: number;
  readonly #key: LineKey;
  readonly #writers: PieceWriter[];
  readonly #bounds: Bounds = { start: 0, end: 0 };
  readonly #maxRecord: number;
  readonly #maxRecordName: string;
  #counts: number[];
  /** The number of the next record, for messages. */
  #record = 0;

  constructor(
    delimiter: number,
    key: LineKey,
    workers: number,
    maxRecord: number,
    maxRecordName = '--max-record',
  ) {
    this.#maxRecordName = maxRecordName;
    this.#delimiter = delimiter;
    this.#key = key;
    this.#maxRecord = maxRecord;
    this.#writers = Array.from({ length: workers }, () => new PieceWriter());
    this.#counts = new Array<number>(workers).fill(0);
  }

  /**
   * Cuts `parts` (whole records, the last one's delimiter perhaps missing) by key; `firstRecord`
   * is the number of their first record, for messages.
   */
  pick(parts: readonly Buffer[], firstRecord: number): Picked {
    this.#record = firstRecord;
    this.#counts = new Array<number>(this.#writers.length).fill(0);
    let carry: Buffer[] = [];
    const last = parts.length - 1;
    for (let p = 0; p <= last; p++) {
      const data = parts[p]!;
      let start = 0;
      if (carry.length > 0) {
        // A record began in an earlier view: joined (one record, once per view at most).
        const at = data.indexOf(this.#delimiter);
        if (at < 0 && p < last) {
          carry.push(data);
          continue;
        }
        start = at < 0 ? data.length : at + 1;
        carry.push(data.subarray(0, start));
        const record = Buffer.concat(carry);
        carry = [];
        this.#records(record, 0, record.length);
      }
      const tail = data.lastIndexOf(this.#delimiter) + 1;
      if (tail > start) this.#records(data, start, tail);
      const rest = Math.max(start, tail);
      if (rest < data.length) {
        if (p < last) carry.push(data.subarray(rest));
        else this.#records(data, rest, data.length);
      }
    }
    const picked: Picked = { parts: [], bytes: [], counts: this.#counts, releases: [] };
    for (const writer of this.#writers) {
      const { views, bytes, release } = writer.take();
      picked.parts.push(views);
      picked.bytes.push(bytes);
      picked.releases!.push(release);
    }
    return picked;
  }

  /**
   * The records of data[from, to), each ended by the delimiter but perhaps the last: the block's
   * last record may lack it, the input's last, given on as it came (nothing follows it in any
   * part, and a byte the input has not would change what a worker reads).
   */
  #records(data: Buffer, from: number, to: number): void {
    // Read once here, not per record: `data.buffer` is a call into V8's runtime each time.
    const delimiter = this.#delimiter;
    const key = this.#key;
    const whole = key.kind === 'whole';
    const index = key.kind === 'field' ? key.index : 0;
    const separator = key.kind === 'field' ? key.separator : null;
    const maxRecord = this.#maxRecord;
    const bounds = this.#bounds;
    const counts = this.#counts;
    const writers = this.#writers;
    const workers = writers.length;
    const memory = data.buffer as ArrayBuffer;
    const base = data.byteOffset;
    let record = this.#record;
    let runStart = from;
    let runTarget = -1;
    let start = from;
    while (start < to) {
      const at = data.indexOf(delimiter, start);
      const end = at < 0 || at >= to ? to : at;
      if (end - start > maxRecord) {
        this.#record = record;
        this.#tooLarge(end - start);
      }
      record++;
      let hash: number;
      if (whole) hash = hashBytes(data, start, end);
      else {
        fieldBounds(data, start, end, index, separator, bounds);
        hash = hashBytes(data, bounds.start, bounds.end);
      }
      const target = workerOf(hash, workers);
      counts[target]!++;
      if (target !== runTarget) {
        if (runTarget >= 0) writers[runTarget]!.copy(memory, base + runStart, start - runStart);
        runStart = start;
        runTarget = target;
      }
      start = end + 1;
    }
    this.#record = record;
    if (runTarget < 0) return;
    const runEnd = Math.min(start, to);
    writers[runTarget]!.copy(memory, base + runStart, runEnd - runStart);
  }

  /** Blocks cut without counting (`EndsSplitter`) meet their records' sizes here. */
  #tooLarge(size: number): never {
    throw recordTooLarge(
      { input: 'input', record: this.#record },
      this.#maxRecord,
      size,
      true,
      this.#maxRecordName,
    );
  }
}
