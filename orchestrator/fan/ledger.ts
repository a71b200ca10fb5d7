import type { Block } from '../workers/block.js';
import { ABANDON_SEQ } from '../workers/termseq.js';
import type { Worker, WorkerOutcome } from '../workers/types.js';
import { BlockClock } from './clock.js';
import { JobLog } from './joblog.js';
import type { FanOptions, Reporter } from './options.js';
import type { Stats } from './stats.js';

/**
 * What is kept of each block as it goes, beside the decisions: `--stats`, `--timeout`'s clock
 * and `--joblog`, each told of a block's sending, output, end and its worker's exit.
 */
export class BlockLedger {
  readonly #stats: Stats;
  readonly #clock: BlockClock | null;
  readonly #joblog: JobLog | null;
  readonly #perBlock: boolean;

  /** The job log is opened now: one that cannot be written fails the run (`failed`) first. */
  constructor(
    options: FanOptions,
    stats: Stats,
    reporter: Reporter,
    failed: (message: string) => void,
  ) {
    this.#stats = stats;
    this.#clock =
      options.timeout === undefined
        ? null
        : new BlockClock(options.timeout, options.termseq ?? ABANDON_SEQ);
    this.#joblog = JobLog.forFan(options, reporter, failed);
    this.#perBlock = options.attribution === 'per-block';
  }

  sent(worker: Worker, block: Block): void {
    this.#stats.sent(worker, block);
    this.#clock?.sent(worker, block);
    this.#joblog?.sent(worker, block);
  }

  output(worker: Worker, block: Block, chunk: Buffer): void {
    this.#joblog?.output(worker, block, chunk);
  }

  done(worker: Worker, block: Block): void {
    this.#stats.finished(worker, block);
    this.#clock?.done(worker, block);
    this.#joblog?.done(worker, block, this.#perBlock);
  }

  /** `worker` is given no more input (a per-block worker's instance ends with its block). */
  inputEnded(worker: Worker): void {
    if (!this.#perBlock) this.#clock?.inputEnded(worker);
  }

  /** Whether the worker's instance was ended by `--timeout`. */
  exited(worker: Worker, end: WorkerOutcome, unfinished: readonly Block[]): boolean {
    this.#stats.exited(worker, end, unfinished);
    const timedOut = this.#clock?.exited(worker) ?? false;
    this.#joblog?.exited(worker, end);
    return timedOut;
  }

  /** `block` failed for good (its tries ran out, or the run halts): its --joblog row says so. */
  lost(
    worker: Worker,
    block: Block,
    end: WorkerOutcome & { kind: 'failed' | 'cannot-start' },
  ): void {
    this.#joblog?.lost(worker, block, end);
  }

  /** The worker's output is not read (`paused`), or is again: its time does not run meanwhile. */
  paused(worker: Worker, paused: boolean): void {
    this.#clock?.paused(worker, paused);
  }

  /** The run stops: no block's time runs out any more. */
  stopClock(): void {
    this.#clock?.stopAll();
  }

  /** The run is over. */
  close(): void {
    this.#joblog?.close();
  }
}
