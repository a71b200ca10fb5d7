import { formatDuration } from '../options/jobs.js';
import type { Block } from '../workers/block.js';
import type { TermSeq } from '../workers/termseq.js';
import type { Worker } from '../workers/types.js';

/**
 * --timeout: times each worker's oldest unfinished block, from when it was given or became the
 * oldest, and abandons the worker (ends its instance as failed) when that block is not done in
 * time; time while manifold does not read the worker's output does not count. A per-block
 * worker's one block is timed from its start, as `parallel --timeout` times a job; a persistent
 * worker's budget is a block's worth of work: no block finished for that long; and once its
 * input has ended, with no block left, its end (a filter's `flush`) is timed as a block is.
 */
export class BlockClock {
  readonly #ms: number;
  /** How a worker past its time is ended. */
  readonly #seq: TermSeq;
  readonly #timers = new Map<Worker, Timed>();
  /** Workers whose instance this clock abandoned, until its end is heard. */
  readonly #expired = new Set<Worker>();
  /** Workers whose output manifold does not read: their time stands still meanwhile. */
  readonly #paused = new Set<Worker>();
  /** Workers whose input has ended: with no block left, their end is timed. */
  readonly #closed = new Set<Worker>();

  constructor(ms: number, seq: TermSeq) {
    this.#ms = ms;
    this.#seq = seq;
  }

  /** A block was given to `worker`: timed now if the worker had none timed. */
  sent(worker: Worker, block: Block): void {
    if (!this.#timers.has(worker)) this.#start(worker, block);
  }

  /** A block is done: the worker's next oldest, if any, is timed from now. */
  done(worker: Worker, block: Block): void {
    if (this.#timers.get(worker)?.block !== block) return;
    this.forget(worker);
    const next = worker.inFlight.first;
    if (next !== undefined) this.#start(worker, next);
    else if (this.#closed.has(worker)) this.#start(worker, null);
  }

  /** `worker`'s input ends: its end is timed from now when it has no block left, else after. */
  inputEnded(worker: Worker): void {
    if (worker.ended) return;
    this.#closed.add(worker);
    if (!this.#timers.has(worker)) this.#start(worker, null);
  }

  /**
   * Manifold stops reading the worker's output (a full stdout, the ordered merge waiting for an
   * earlier block), or reads it again: a worker blocked on its output waits for manifold, not
   * for its own work, so its time stands still meanwhile and goes on from where it stood.
   */
  paused(worker: Worker, paused: boolean): void {
    const timed = this.#timers.get(worker);
    if (paused) {
      this.#paused.add(worker);
      if (timed?.timer == null) return;
      clearTimeout(timed.timer);
      timed.timer = null;
      timed.left = Math.max(0, timed.deadline - Date.now());
    } else {
      this.#paused.delete(worker);
      if (timed !== undefined && timed.timer === null) this.#arm(worker, timed);
    }
  }

  /**
   * An instance of `worker` ended: its timer goes, unless it times a block the slot has already
   * been given since (a per-block worker hears of its block's end before its instance's).
   * Returns whether this clock had ended it.
   */
  exited(worker: Worker): boolean {
    const timed = this.#timers.get(worker);
    if (timed !== undefined && (timed.block === null || !worker.inFlight.includes(timed.block)))
      this.forget(worker);
    return this.#expired.delete(worker);
  }

  /** Nothing of the worker is timed any more. */
  forget(worker: Worker): void {
    const timed = this.#timers.get(worker);
    if (timed === undefined) return;
    if (timed.timer !== null) clearTimeout(timed.timer);
    this.#timers.delete(worker);
  }

  /** The fan stops: no timer is left to keep it alive. */
  stopAll(): void {
    for (const worker of [...this.#timers.keys()]) this.forget(worker);
  }

  #start(worker: Worker, block: Block | null): void {
    const timed: Timed = { block, timer: null, deadline: 0, left: this.#ms };
    this.#timers.set(worker, timed);
    if (!this.#paused.has(worker)) this.#arm(worker, timed);
  }

  /** Runs the rest of the block's time (`left`). */
  #arm(worker: Worker, timed: Timed): void {
    timed.deadline = Date.now() + timed.left;
    timed.timer = setTimeout(() => {
      this.#timers.delete(worker);
      this.#expired.add(worker);
      const when = timed.block === null ? ' once its input ended' : '';
      worker.abandon(`timed out after ${formatDuration(this.#ms)}${when}`, this.#seq);
    }, timed.left);
  }
}

/**
 * A worker's timed block (null: its end, once its input ended): its timer while its time runs,
 * else null and the time `left`.
 */
interface Timed {
  block: Block | null;
  timer: NodeJS.Timeout | null;
  deadline: number;
  left: number;
}
