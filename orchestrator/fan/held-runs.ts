import { RunHeap } from './heap.js';
import { Run } from './run.js';
import { Slice } from './slice.js';
import { SPILL_REMEDY } from './spill.js';

/** Past this many spilled runs, the smaller ones are merged into one: few files open at once. */
const FAN_IN = 16;

/**
 * The runs a sorted merge holds, and what they cost in memory. Past the bound, the complete
 * runs in memory are merged into one spill file and the open ones move to files of their own,
 * as `sort` spills; past FAN_IN files, the smaller ones are merged into one.
 *
 * A spill's merges run in slices (slice.ts), the event loop run between them, and the output
 * of the workers is not read meanwhile (`onSpill`), as `sort` reads no input while it merges:
 * memory stays within the bound, and a signal is heard within a slice. While a spill runs, its
 * runs are its own: who takes records (the collector's merges) waits for `settled` first.
 */
export class HeldRuns {
  readonly runs = new Set<Run>();
  readonly #bound: number;
  readonly #compare: (a: Buffer, b: Buffer) => number;
  #cost = 0;
  readonly #slice: Slice;
  /** The spill running, if one is. */
  #spilling: Promise<void> | null = null;
  /** A spill's failure (a full disk): thrown at the next `add` or `settled`. */
  #failure: unknown = null;
  #stopped = false;

  /** What a spill's failure says to do (spill.ts `spillRemedy`). */
  readonly #remedy: string;
  /** Where spills go (--tmpdir). @default $TMPDIR, or /tmp */
  readonly #dir: string | undefined;
  /** Told true as a spill begins (the workers' output is to wait), false once it has ended. */
  onSpill: (spilling: boolean) => void = () => {};

  constructor(
    compare: (a: Buffer, b: Buffer) => number,
    bound: number,
    remedy = SPILL_REMEDY,
    dir?: string,
    slice = new Slice(),
  ) {
    this.#compare = compare;
    this.#bound = bound;
    this.#remedy = remedy;
    this.#dir = dir;
    this.#slice = slice;
  }

  /**
   * Orders runs by their heads; in ties, by where the heads' runs come in the input (a run merged
   * from others holds records of several).
   */
  readonly before = (a: Run, b: Run): boolean => {
    const order = this.#compare(a.headRecord(), b.headRecord());
    return order < 0 || (order === 0 && a.headOrder() < b.headOrder());
  };

  /** True while a spill runs. */
  get spilling(): boolean {
    return this.#spilling !== null;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  create(order: number, slot: number): Run {
    const run = new Run(order, slot, this.#remedy, this.#dir);
    this.runs.add(run);
    return run;
  }

  /** Adds records to an open run; past the bound, a spill begins. Throws a spill's failure. */
  add(run: Run, records: Buffer[]): void {
    this.rethrow();
    // Stopped: nothing more is written, nor held.
    if (this.#stopped) return;
    this.#cost += run.add(records);
    if (this.#cost > this.#bound && this.#spilling === null) {
      this.onSpill(true);
      this.#spilling = this.#spill().finally(() => {
        this.#spilling = null;
        this.onSpill(false);
      });
    }
  }

  /** Throws the failure of a spill, if one failed. */
  rethrow(): void {
    if (this.#failure !== null) throw this.#failure;
  }

  /** Resolves once no spill runs; throws a spill's failure. */
  async settled(): Promise<void> {
    while (this.#spilling !== null) await this.#spilling;
    this.rethrow();
  }

  /** Drops the head of `run`, once taken (`headRecord`, `headSlot`). */
  shift(run: Run): void {
    this.#cost -= run.shift();
  }

  drop(run: Run): void {
    this.#cost -= run.memoryCost;
    run.discard();
    this.runs.delete(run);
  }

  dropAll(): void {
    for (const run of this.runs) this.drop(run);
  }

  /** Nothing more is merged: a spill running ends at its next slice. Resolves once it has. */
  async stop(): Promise<void> {
    this.#stopped = true;
    while (this.#spilling !== null) await this.#spilling;
    this.dropAll();
  }

  /**
   * Merges spilled runs until at most FAN_IN are left: each is read with a buffer of its own.
   * Only while no spill runs (`settled`).
   */
  async limitFiles(): Promise<void> {
    if (this.#stopped) return;
    const spilled = [...this.runs].filter((run) => run.closed && run.spilled);
    if (spilled.length <= FAN_IN) return;
    // The smaller ones: each record is rewritten a few times only, as the files grow by tiers.
    spilled.sort((a, b) => a.spillSize - b.spillSize);
    await this.#mergeToFile(spilled.slice(0, spilled.length - (FAN_IN >> 1)));
  }

  async #spill(): Promise<void> {
    try {
      const complete = [...this.runs].filter((run) => run.closed && run.memoryCost > 0);
      if (complete.length > 0) await this.#mergeToFile(complete);
      // The open runs move to files of their own, with what came meanwhile (read before the
      // output was paused).
      for (const run of [...this.runs]) if (!run.closed) await this.#spillOpen(run);
      await this.limitFiles();
    } catch (error) {
      this.#failure ??= error;
    }
  }

  /** Moves an open run's records in memory to its file, a slice at a time. */
  async #spillOpen(run: Run): Promise<void> {
    // Gone meanwhile: its block failed, or the fan stops.
    while (this.runs.has(run) && !this.#stopped) {
      this.#cost -= run.spill(this.#slice);
      if (run.memoryCost === 0) return;
      await this.#slice.next();
    }
  }

  /** Replaces complete runs by one run in a spill file, merged from them, a slice at a time. */
  async #mergeToFile(runs: Run[]): Promise<void> {
    // Its records keep their own places in the input (the file's headers): it needs none.
    const merged = new Run(0, 0, this.#remedy, this.#dir);
    const file = merged.fileToFill();
    const slice = this.#slice;
    const heap = new RunHeap(runs, this.before);
    while (heap.size > 0) {
      const run = heap.top();
      const record = run.headRecord();
      file.add(record, 0, record.length, run.headSlot(), run.headOrder());
      this.shift(run);
      heap.settle();
      if (slice.tick()) {
        await slice.next();
        if (this.#stopped) {
          merged.discard();
          return;
        }
      }
    }
    file.flush();
    merged.closed = true;
    for (const run of runs) this.drop(run);
    this.runs.add(merged);
  }
}
