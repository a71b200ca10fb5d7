import type { Run } from './run.js';

/** The runs of a k-way merge, the one with the smallest head on top. */
export class RunHeap {
  readonly #runs: Run[] = [];
  readonly #before: (a: Run, b: Run) => boolean;

  /** Takes the runs that have a head now; `before` orders two runs by their heads. */
  constructor(runs: Iterable<Run>, before: (a: Run, b: Run) => boolean) {
    this.#before = before;
    for (const run of runs) if (run.hasHead) this.#runs.push(run);
    for (let i = (this.#runs.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  get size(): number {
    return this.#runs.length;
  }

  /** The run with the smallest head. Only when `size` > 0. */
  top(): Run {
    return this.#runs[0]!;
  }

  /** After the top run's head was taken: puts it back in its place, or drops it when empty. */
  settle(): void {
    const runs = this.#runs;
    if (!runs[0]!.hasHead) {
      const last = runs.pop()!;
      if (runs.length === 0) return;
      runs[0] = last;
    }
    this.#down(0);
  }

  #down(at: number): void {
    const runs = this.#runs;
    let i = at;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= runs.length) return;
      const right = left + 1;
      const child = right < runs.length && this.#before(runs[right]!, runs[left]!) ? right : left;
      if (!this.#before(runs[child]!, runs[i]!)) return;
      [runs[i], runs[child]] = [runs[child]!, runs[i]!];
      i = child;
    }
  }
}
