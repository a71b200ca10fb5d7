import { RunHeap } from './heap.js';
import { Run } from './run.js';
import { SPILL_REMEDY } from './spill.js';

/** Past this many spilled runs, the smaller ones are merged into one: few files open at once. */
const FAN_IN = 16;

/**
 * The runs a sorted merge holds, and what they cost in memory. Past the bound, the complete
 * runs in memory are merged into one spill file and the open ones move to files of their own,
 * as `sort` spills; past FAN_IN files, the smaller ones are merged into one.
 */
export class HeldRuns {
  readonly runs = new Set<Run>();
  readonly #bound: number;
  readonly #compare: (a: Buffer, b: Buffer) => number;
  #cost = 0;

  /** What a spill's failure says to do (spill.ts `spillRemedy`). */
  readonly #remedy: string;
  /** Where spills go (--tmpdir). @default $TMPDIR, or /tmp */
  readonly #dir: string | undefined;

  constructor(
    compare: (a: Buffer, b: Buffer) => number,
    bound: number,
    remedy = SPILL_REMEDY,
    dir?: string,
  ) {
    this.#compare = compare;
    this.#bound = bound;
    this.#remedy = remedy;
    this.#dir = dir;
  }

  /**
   * Orders runs by their heads; in ties, by where the heads' runs come in the input (a run merged
   * from others holds records of several).
   */
  readonly before = (a: Run, b: Run): boolean => {
    const order = this.#compare(a.headRecord(), b.headRecord());
    return order < 0 || (order === 0 && a.headOrder() < b.headOrder());
  };

  create(order: number, slot: number): Run {
    const run = new Run(order, slot, this.#remedy, this.#dir);
    this.runs.add(run);
    return run;
  }

  add(run: Run, records: Buffer[]): void {
    this.#cost += run.add(records);
    if (this.#cost > this.#bound) this.#spill();
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

  /** Merges spilled runs until at most FAN_IN are left: each is read with a buffer of its own. */
  limitFiles(): void {
    const spilled = [...this.runs].filter((run) => run.closed && run.spilled);
    if (spilled.length <= FAN_IN) return;
    // The smaller ones: each record is rewritten a few times only, as the files grow by tiers.
    spilled.sort((a, b) => a.spillSize - b.spillSize);
    this.#mergeToFile(spilled.slice(0, spilled.length - (FAN_IN >> 1)));
  }

  #spill(): void {
    const complete = [...this.runs].filter((run) => run.closed && run.memoryCost > 0);
    if (complete.length > 0) this.#mergeToFile(complete);
    for (const run of this.runs) if (!run.closed) this.#cost -= run.spill();
    this.limitFiles();
  }

  /** Replaces complete runs by one run in a spill file, merged from them. */
  #mergeToFile(runs: Run[]): void {
    // Its records keep their own places in the input (the file's headers): it needs none.
    const merged = new Run(0, 0, this.#remedy, this.#dir);
    const file = merged.fileToFill();
    const heap = new RunHeap(runs, this.before);
    while (heap.size > 0) {
      const run = heap.top();
      const record = run.headRecord();
      file.add(record, 0, record.length, run.headSlot(), run.headOrder());
      this.shift(run);
      heap.settle();
    }
    file.flush();
    merged.closed = true;
    for (const run of runs) this.drop(run);
    this.runs.add(merged);
  }
}
