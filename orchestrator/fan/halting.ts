import type { HaltCondition, HaltMode } from './options.js';

/** Below this many blocks finished, `fail=N%` does not act: one failure in one block is not 100%. */
const PERCENT_MINIMUM = 3;

/**
 * --halt: counts blocks done and blocks failed for good, and says when the run must halt, as
 * GNU parallel's `now|soon|never` with `,fail=N`, `,fail=N%` or `,success=N`.
 */
export class HaltCounter {
  readonly #mode: HaltMode;
  readonly #on: HaltCondition;
  #done = 0;
  #failed = 0;

  constructor(mode: HaltMode, on: HaltCondition = { why: 'fail', count: 1, percent: false }) {
    this.#mode = mode;
    this.#on = on;
  }

  /** A block is done; returns how to halt now (`now`, `soon`), or null to go on. */
  done(): HaltMode | null {
    this.#done++;
    return this.#check('success');
  }

  /** A block failed for good; returns how to halt now, or null to go on. */
  failed(): HaltMode | null {
    this.#failed++;
    return this.#check('fail');
  }

  /** What the condition counts: a halt it says comes of failures or of blocks done. */
  get why(): HaltCondition['why'] {
    return this.#on.why;
  }

  #check(why: HaltCondition['why']): HaltMode | null {
    const on = this.#on;
    if (this.#mode === 'never') return null;
    // A share of the blocks finished so far changes as blocks are done too: two failed, then
    // a third done, is 67%.
    if (on.why !== why && !on.percent) return null;
    if (!on.percent)
      return (why === 'fail' ? this.#failed : this.#done) >= on.count ? this.#mode : null;
    const finished = this.#done + this.#failed;
    const reached = finished >= PERCENT_MINIMUM && this.#failed * 100 >= on.count * finished;
    return reached ? this.#mode : null;
  }
}
