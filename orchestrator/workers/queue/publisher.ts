import { describeError, UsageError } from '../../../filters/index.js';
import type { Block } from '../block.js';
import type { InputHeader } from '../header.js';
import { publishBlock, refusedBlock } from './block-message.js';
import type { CoordinatedJob } from './coordinated-job.js';
import { settleHeader } from './header.js';
import type { ResultStream } from './result-stream.js';
import type { BlockResult } from './results.js';

// When and how the coordinator's blocks go to the queue (coordinator.ts): held until the
// results already stored are read and the header (--header) is given to the workers; answered
// from what is stored when they were answered before (a resumed job); failed here when no
// worker can serve them or the queue refuses them; else published, once.

/** What the publisher asks of the coordinator's worker, and tells it. */
export interface PublishHooks {
  /** The run was stopped: nothing more is published. */
  stopped(): boolean;
  /** `block` is still one the engine gave and the queue has not answered. */
  given(block: Block): boolean;
  /** A block's answer: stored, or a failure said here. */
  answer(block: Block, result: BlockResult): void;
  /** The queue cannot go on: every block given fails with `reason`. */
  lose(reason: string): void;
}

export class BlockPublisher {
  readonly #job: CoordinatedJob;
  readonly #results: ResultStream;
  readonly #hooks: PublishHooks;
  /** Blocks published by this coordinator (a block given again is not published again). */
  readonly #published = new Set<number>();
  /**
   * Blocks given before the results already stored were read (they wait to know theirs), or
   * before the header (--header) was given to the workers: null once both are.
   */
  #waiting: Block[] | null = [];
  /** A table no worker can fetch (notice.ts): every block fails with it. */
  #unservable: { worker: string; reason: string } | null = null;
  /** --header: the input's, filled in before the first block comes; null once published. */
  #header: InputHeader | null;

  constructor(
    job: CoordinatedJob,
    results: ResultStream,
    hooks: PublishHooks,
    header: InputHeader,
  ) {
    this.#job = job;
    this.#results = results;
    this.#hooks = hooks;
    this.#header = job.spec.header == null ? null : header;
  }

  /** A block the engine gave: published, or held until it can be. */
  give(block: Block): void {
    if (this.#waiting === null) {
      this.#publish(block);
      return;
    }
    this.#waiting.push(block);
    if (this.#header !== null && this.#waiting.length === 1) this.#giveHeader(this.#header);
  }

  /** Blocks wait no more once the stored results are read and the header given. */
  caughtUp(): void {
    if (!this.#results.read || this.#header !== null) return;
    const waiting = this.#waiting ?? [];
    this.#waiting = null;
    for (const block of waiting) if (this.#hooks.given(block)) this.#publish(block);
  }

  /** A table no worker can fetch: blocks published from now on fail with it. False if known. */
  unservable(failure: { worker: string; reason: string }): boolean {
    if (this.#unservable !== null) return false;
    this.#unservable = failure;
    return true;
  }

  /** The header goes to the workers before any block (or is checked, for a resumed job). */
  #giveHeader(header: InputHeader): void {
    const { conn, names, spec, log } = this.#job;
    const name = this.#job.optionName;
    settleHeader(conn, names, spec.run, header, () => this.#hooks.stopped(), log, name).then(
      (given) => {
        if (!given) return;
        this.#header = null;
        this.caughtUp();
      },
      (error: unknown) => {
        if (error instanceof UsageError) this.#job.refuse?.(error);
        // Later than who else hears it, as for the server gone.
        setImmediate(() => this.#hooks.lose(describeError(error)));
      },
    );
  }

  /** Gives a block its stored answer, or publishes it (once). */
  #publish(block: Block): void {
    const answer = (result: BlockResult) => setImmediate(() => this.#hooks.answer(block, result));
    const result = this.#results.book.take(block.seq);
    if (result !== null) {
      // Answered already (a resumed job): given back without going to the queue again.
      answer(result);
      return;
    }
    const unservable = this.#unservable;
    if (unservable !== null) {
      answer({ kind: 'failed', ...unservable });
      return;
    }
    if (this.#published.has(block.seq)) return;
    this.#published.add(block.seq);
    const reason = refusedBlock(this.#job.conn, block);
    if (reason !== null) {
      answer({ kind: 'failed', worker: 'the queue', reason });
      return;
    }
    publishBlock(this.#job, block, () => this.#hooks.stopped()).catch((error: unknown) =>
      this.#hooks.lose(describeError(error)),
    );
  }
}
