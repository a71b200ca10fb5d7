import { viewAt } from '../../filters/framing/view.js';
import type { Slice } from './slice.js';
import { HEADER, SPILL_REMEDY, SpillFile } from './spill.js';

/**
 * What a record held in memory costs beyond its bytes: its place (two numbers) and its share of
 * the delimiters and framing around it in the chunk that holds it.
 */
export const RECORD_COST = 16;
/** What a piece of held memory costs beyond its records: its object and array. */
const SEGMENT_COST = 160;

/**
 * Records that lie in one piece of memory (a chunk of a worker's output, as it was read): where
 * each starts and ends in it. A record held costs its place here, not an object of its own: a
 * Buffer view costs V8 ~100 bytes of heap, more than a short record itself, and millions of them
 * kept for a merge were most of its memory and its time (in garbage collection).
 */
interface Segment {
  readonly memory: ArrayBufferLike;
  /** Where each record starts and ends in `memory`, in pairs. */
  readonly bounds: Uint32Array;
  readonly count: number;
}

/**
 * A sorted run of records for the sorted merge: a block's output, a worker's whole output, or
 * runs already merged. Records come in at the end and go out at the head. Past the merge's
 * memory bound the records in memory move to the run's spill file; the file's records come
 * before those in memory, which keeps the run in order.
 */
export class Run {
  /** Where the run comes in the input (a block's number), to break ties in a stable order. */
  readonly order: number;
  /** The worker that wrote the records in memory. */
  readonly slot: number;
  closed = false;
  #segments: Segment[] = [];
  #first = 0;
  /** The head's index in the first segment. */
  #at = 0;
  #memoryCost = 0;
  #file: SpillFile | null = null;
  #readAt = 0;
  /** Entries read from the file and not taken yet: `#chunk` from `#chunkAt` on. */
  #chunk: Buffer | null = null;
  #chunkAt = 0;
  /** The head as a Buffer, once asked for, until it is taken. */
  #head: Buffer | null = null;

  /** --merge-memory as messages spell it (a config's `merge-memory`), should it spill. */
  readonly #remedy: string;
  /** Where it spills (--tmpdir). @default $TMPDIR, or /tmp */
  readonly #dir: string | undefined;

  constructor(order: number, slot: number, remedy = SPILL_REMEDY, dir?: string) {
    this.order = order;
    this.slot = slot;
    this.#remedy = remedy;
    this.#dir = dir;
  }

  /** What the records in memory cost, in bytes. */
  get memoryCost(): number {
    return this.#memoryCost;
  }

  get spilled(): boolean {
    return this.#file !== null;
  }

  /** The bytes in the spill file. */
  get spillSize(): number {
    return this.#file?.size ?? 0;
  }

  /** Adds records at the end; returns what they cost in memory. */
  add(records: Buffer[]): number {
    let cost = 0;
    let from = 0;
    while (from < records.length) {
      // Records side by side in one memory make one segment: one push of a decoder, mostly.
      const memory = records[from]!.buffer;
      let to = from + 1;
      while (to < records.length && records[to]!.buffer === memory) to++;
      const bounds = new Uint32Array(2 * (to - from));
      for (let i = from, j = 0; i < to; i++, j += 2) {
        const record = records[i]!;
        bounds[j] = record.byteOffset;
        bounds[j + 1] = record.byteOffset + record.length;
        cost += record.length + RECORD_COST;
      }
      this.#segments.push({ memory, bounds, count: to - from });
      cost += SEGMENT_COST;
      from = to;
    }
    this.#memoryCost += cost;
    return cost;
  }

  /** True when the run has a record now (more may come while it is open). */
  get hasHead(): boolean {
    return this.#fill() || this.#first < this.#segments.length;
  }

  /** The first record. Only when `hasHead`; valid after it is taken. */
  headRecord(): Buffer {
    if (this.#head !== null) return this.#head;
    if (this.#fill()) {
      const chunk = this.#chunk!;
      const at = this.#chunkAt;
      const start = chunk.byteOffset + at + HEADER;
      this.#head = viewAt(chunk.buffer, start, chunk.readUInt32LE(at));
    } else {
      const segment = this.#segments[this.#first]!;
      const start = segment.bounds[2 * this.#at]!;
      this.#head = viewAt(segment.memory, start, segment.bounds[2 * this.#at + 1]! - start);
    }
    return this.#head;
  }

  /** Where the first record's run comes in the input: ties go in this order. Only when `hasHead`. */
  headOrder(): number {
    return this.#fill() ? this.#chunk!.readDoubleLE(this.#chunkAt + 8) : this.order;
  }

  /** The slot of the worker that wrote the first record. Only when `hasHead`. */
  headSlot(): number {
    return this.#fill() ? this.#chunk!.readUInt32LE(this.#chunkAt + 4) : this.slot;
  }

  /** Drops the first record; returns the memory it freed. */
  shift(): number {
    this.#head = null;
    if (this.#fill()) {
      const chunk = this.#chunk!;
      this.#chunkAt += HEADER + chunk.readUInt32LE(this.#chunkAt);
      if (this.#chunkAt === chunk.length) this.#chunk = null;
      return 0;
    }
    const segment = this.#segments[this.#first]!;
    const at = this.#at;
    let cost = segment.bounds[2 * at + 1]! - segment.bounds[2 * at]! + RECORD_COST;
    if (++this.#at === segment.count) cost += this.#segmentDone();
    this.#memoryCost -= cost;
    return cost;
  }

  /**
   * Moves the records in memory to the spill file, from the first on, until none is left or
   * `slice` is spent (then the rest stay, after the file's, in order); returns the memory freed.
   */
  spill(slice: Slice): number {
    if (this.#first === this.#segments.length) return 0;
    this.#file ??= new SpillFile(this.#remedy, this.#dir);
    const file = this.#file;
    let freed = 0;
    let spent = false;
    while (!spent && this.#first < this.#segments.length) {
      const { memory, bounds, count } = this.#segments[this.#first]!;
      const bytes = new Uint8Array(memory);
      let at = this.#at;
      for (; at < count && !spent; at++) {
        const start = bounds[2 * at]!;
        const end = bounds[2 * at + 1]!;
        file.add(bytes, start, end, this.slot, this.order);
        freed += end - start + RECORD_COST;
        spent = slice.tick();
      }
      this.#at = at;
      if (at === count) freed += this.#segmentDone();
    }
    file.flush();
    // The head, when it was in memory, is the file's next record now.
    this.#head = null;
    this.#memoryCost -= freed;
    return freed;
  }

  /** The first segment's records are all gone: it goes; returns what it cost. */
  #segmentDone(): number {
    this.#at = 0;
    this.#segments[this.#first++] = EMPTY_SEGMENT;
    if (this.#first === this.#segments.length) {
      this.#segments = [];
      this.#first = 0;
    } else if (this.#first >= 1024 && 2 * this.#first >= this.#segments.length) {
      // A run that is never empty (a worker's whole output, merged as it comes).
      this.#segments = this.#segments.slice(this.#first);
      this.#first = 0;
    }
    return SEGMENT_COST;
  }

  /** The run's spill file, to be filled by a merge of other runs (then `flush`ed). */
  fileToFill(): SpillFile {
    this.#file ??= new SpillFile(this.#remedy, this.#dir);
    return this.#file;
  }

  /** True when records read from the file come first; reads the next chunk of them if need be. */
  #fill(): boolean {
    if (this.#chunk !== null) return true;
    const file = this.#file;
    if (file === null || this.#readAt >= file.size) return false;
    const chunk = file.read(this.#readAt);
    this.#readAt += chunk.length;
    this.#chunk = chunk;
    this.#chunkAt = 0;
    return true;
  }

  /** The run is not needed any more: its file goes. */
  discard(): void {
    this.#file?.close();
    this.#file = null;
    this.#segments = [];
    this.#first = 0;
    this.#at = 0;
    this.#chunk = null;
    this.#head = null;
    this.#memoryCost = 0;
  }
}

const EMPTY_SEGMENT: Segment = { memory: new ArrayBuffer(0), bounds: new Uint32Array(0), count: 0 };
