import type { Block } from '../workers/block.js';
import type { Worker } from '../workers/types.js';
import type { FanOptions } from './options.js';

/** How long a block that failed on a host waits for a worker on another before any may take it. */
const RETRY_ELSEWHERE_MS = 2000;

/**
 * A block that failed on hosts goes to a worker on another host while one still runs and may
 * take it, as parallel --retries tries a job "on another computer on which it has not failed".
 * Waiting for one is bounded (RETRY_ELSEWHERE_MS): a worker there held up by the merge, which
 * waits for this block, must not hold it for ever; `pump` is called when the wait is over.
 */
export class RetryElsewhere {
  readonly #options: FanOptions;
  readonly #workers: Worker[];
  readonly #pump: () => void;
  /** The block waiting, since when. */
  #waiting: { block: Block; since: number } | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: FanOptions, workers: Worker[], pump: () => void) {
    this.#options = options;
    this.#workers = workers;
    this.#pump = pump;
  }

  /** Which workers to pass over for `block` (those on hosts it failed on); null when any may take it. */
  avoided(block: Block): ((worker: Worker) => boolean) | null {
    const failedOn = block.failedOn;
    const remote = this.#options.remote;
    if (failedOn === undefined || remote === undefined) return null;
    const on = (worker: Worker) => failedOn.has(remote.hostOf(worker.slot));
    if (!this.#workers.some((worker) => !worker.ended && !on(worker))) return null;
    if (this.#waiting?.block !== block) this.#waiting = { block, since: Date.now() };
    const waited = Date.now() - this.#waiting.since;
    if (waited >= RETRY_ELSEWHERE_MS) return null;
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#pump();
    }, RETRY_ELSEWHERE_MS - waited);
    return on;
  }

  /** `block` is sent: its wait is over. */
  sent(block: Block): void {
    if (block === this.#waiting?.block) {
      this.#waiting = null;
      this.clear();
    }
  }

  clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
