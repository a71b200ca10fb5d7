/** The longest the sorted merge works on the main thread before the event loop runs again. */
export const SLICE_MS = 10;
/** Steps (records) between looks at the clock: a look costs more than a short record's step. */
const STEPS = 256;

/**
 * Long work on the main thread (the sorted merge's spills and merges) in slices of bounded time,
 * the event loop run between them: a signal's handler, a worker's end and the output's writes
 * wait one slice at most, where a merge of spill files held them for a second (a SIGINT was
 * heard 0.3-1 s late). `setImmediate` lets the loop poll for I/O and signals first; a resolved
 * promise would not.
 */
export class Slice {
  readonly #ms: number;
  readonly #steps: number;
  #left: number;
  #start = performance.now();

  /** `ms`, `steps`: smaller in tests, to yield often. */
  constructor(ms = SLICE_MS, steps = STEPS) {
    this.#ms = ms;
    this.#steps = steps;
    this.#left = steps;
  }

  /** One step done: true when the slice's time is up (looked at every few steps). */
  tick(): boolean {
    if (--this.#left > 0) return false;
    this.#left = this.#steps;
    return this.due();
  }

  /** True when the slice's time is up. */
  due(): boolean {
    return performance.now() - this.#start >= this.#ms;
  }

  /** Lets the event loop run (timers, I/O, signals), then begins the next slice. */
  async next(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#left = this.#steps;
    this.#start = performance.now();
  }
}
