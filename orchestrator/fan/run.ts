import { type Entry, SpillFile } from './spill.js';

/** What a record held in memory costs beyond its bytes: the Buffer view and its slot. */
export const RECORD_COST = 96;

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
  #memory: Buffer[] = [];
  #memoryNext = 0;
  #memoryCost = 0;
  #file: SpillFile | null = null;
  #readAt = 0;
  #read: Entry[] = [];
  #readNext = 0;

  constructor(order: number, slot: number) {
    this.order = order;
    this.slot = slot;
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
    for (const record of records) {
      this.#memory.push(record);
      cost += record.length + RECORD_COST;
    }
    this.#memoryCost += cost;
    return cost;
  }

  /** True when the run has a record now (more may come while it is open). */
  get hasHead(): boolean {
    return this.#fill();
  }

  /** The first record, and the slot of its worker. Only when `hasHead`. */
  head(): Entry {
    if (this.#readNext < this.#read.length) return this.#read[this.#readNext]!;
    return { record: this.#memory[this.#memoryNext]!, slot: this.slot };
  }

  /** The first record's bytes, without the entry. Only when `hasHead`. */
  headRecord(): Buffer {
    if (this.#readNext < this.#read.length) return this.#read[this.#readNext]!.record;
    return this.#memory[this.#memoryNext]!;
  }

  /** Drops the first record; returns the memory it freed. */
  shift(): number {
    if (this.#readNext < this.#read.length) {
      this.#read[this.#readNext++] = EMPTY;
      return 0;
    }
    const record = this.#memory[this.#memoryNext]!;
    this.#memory[this.#memoryNext++] = EMPTY_RECORD;
    const cost = record.length + RECORD_COST;
    this.#memoryCost -= cost;
    if (this.#memoryNext === this.#memory.length) {
      this.#memory = [];
      this.#memoryNext = 0;
    }
    return cost;
  }

  /** Moves the records in memory to the spill file; returns the memory freed. */
  spill(): number {
    if (this.#memoryNext === this.#memory.length) return 0;
    this.#file ??= new SpillFile();
    const slot = this.slot;
    const memory = this.#memory;
    const from = this.#memoryNext;
    this.#file.append(
      (function* () {
        for (let i = from; i < memory.length; i++) yield { record: memory[i]!, slot };
      })(),
    );
    const freed = this.#memoryCost;
    this.#memory = [];
    this.#memoryNext = 0;
    this.#memoryCost = 0;
    return freed;
  }

  /** Appends records to the spill file, as they come: for a run merged from others. */
  spillEntries(entries: Iterable<Entry>): void {
    this.#file ??= new SpillFile();
    this.#file.append(entries);
  }

  /** The run is not needed any more: its file goes. */
  discard(): void {
    this.#file?.close();
    this.#file = null;
    this.#memory = [];
    this.#read = [];
    this.#memoryCost = 0;
  }

  /** Makes the head available, reading from the file when its records come first. */
  #fill(): boolean {
    if (this.#readNext < this.#read.length) return true;
    const file = this.#file;
    if (file !== null && this.#readAt < file.size) {
      this.#read = [];
      this.#readNext = 0;
      this.#readAt = file.read(this.#readAt, this.#read);
      return true;
    }
    return this.#memoryNext < this.#memory.length;
  }
}

const EMPTY_RECORD = Buffer.alloc(0);
const EMPTY: Entry = { record: EMPTY_RECORD, slot: 0 };
