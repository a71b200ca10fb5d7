import { formatDuration } from '../options/jobs.js';
import { PULL_MS } from './pull.js';

/**
 * How long after a failed start its block goes back to the queue: longer than a pull waits
 * (pull.ts), so that the pull this worker had under way ends empty rather than taking the
 * block back to the machine that could not start it.
 */
const RETURN_DELAY_MS = 2 * PULL_MS;

/**
 * A queue worker's --start-backoff (server.ts): once a process of this machine could not be
 * started, nothing more is pulled for a while, so that the block, back on the queue, goes to a
 * machine that can start it rather than to this one again (which, idle, pulled first, and used
 * a block's tries up in milliseconds). The blocks it pulled ahead are not started here (they
 * would fail as well, each a try lost): they go back untried (server.ts), as does a block that
 * comes to the pull under way as the process failed (`failures` tells it).
 */
export class StartBackoff {
  readonly #ms: number;
  readonly #log: (line: string) => void;
  /** Called once the backoff is over: the slots may pull again. */
  readonly #over: () => void;
  #timer: NodeJS.Timeout | null = null;
  #failures = 0;

  constructor(ms: number, log: (line: string) => void, over: () => void) {
    this.#ms = ms;
    this.#log = log;
    this.#over = over;
  }

  /** Processes of this machine that could not start, so far (with or without a backoff). */
  get failures(): number {
    return this.#failures;
  }

  /** Whether this machine takes no new block now. */
  get active(): boolean {
    return this.#timer !== null;
  }

  /** How long after a failed start its blocks go back to the queue (0: at once, no backoff). */
  get returnDelayMs(): number {
    return this.#ms > 0 ? RETURN_DELAY_MS : 0;
  }

  /** Slot `slot`'s process could not be started: no block is pulled for the backoff, from now. */
  start(slot: number): void {
    this.#failures++;
    if (this.#ms === 0) return;
    if (this.#timer === null)
      this.#log(
        `worker ${slot} could not start its process: no block is taken for ${formatDuration(this.#ms)} (--start-backoff), for another machine to take it first`,
      );
    else clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#over();
    }, this.#ms);
  }

  /** The worker is leaving: no timer outlives it. */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
