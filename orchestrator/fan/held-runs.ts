import { RunHeap } from './heap.js';
import { Run } from './run.js';
import type { Entry } from './spill.js';

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

  constructor(compare: (a: Buffer, b: Buffer) => number, bound: number) {
    this.#compare = compare;
    this.#bound = bound;
  }

  /** Orders runs by their heads; in ties, by where they come in the input. */
  readonly before = (a: Run, b: Run): boolean => {
    const order = this.#compare(a.headRecord(), b.headRecord());
    return order < 0 || (order === 0 && a.order < b.order);
  };

  create(order: number, slot: number): Run {
    const run = new Run(order, slot);
    this.runs.add(run);
    return run;
  }

  add(run: Run, records: Buffer[]): void {
    this.#cost += run.add(records);
    if (this.#cost > this.#bound) this.#spill();
  }

  /** Takes the head of `run`. */
  take(run: Run): Entry {
    const entry = run.head();
    this.#cost -= run.shift();
    return entry;
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
    const order = runs.reduce((min, run) => Math.min(min, run.order), Number.POSITIVE_INFINITY);
    const merged = new Run(order, 0);
    const heap = new RunHeap(runs, this.before);
    const take = () => {
      const entry = this.take(heap.top());
      heap.settle();
      return entry;
    };
    merged.spillEntries(
      (function* () {
        while (heap.size > 0) yield take();
      })(),
    );
    merged.closed = true;
    for (const run of runs) this.drop(run);
    this.runs.add(merged);
  }
}
