import { describeError, UsageError } from '../../../filters/index.js';
import { type Block, describeBlock } from '../block.js';
import { crc32 } from '../frame/index.js';
import { type InputHeader, noHeader } from '../header.js';
import type { StopReason } from '../transport.js';
import type { AttributedKind, Worker, WorkerListener, WorkerOutcome } from '../types.js';
import { publishBlock, refusedBlock } from './block-message.js';
import type { QueueConnection } from './connect.js';
import { settleHeader } from './header.js';
import type { JobSpec } from './job.js';
import { type JobNames, type JobOptionName, jobFlagOf } from './names.js';
import { ResultStream } from './result-stream.js';
import type { BlockResult } from './results.js';

/** A job on the queue, opened by its coordinator (`manifold fan --queue`). */
export interface CoordinatedJob {
  conn: QueueConnection;
  names: JobNames;
  spec: JobSpec;
  /** The most bytes of blocks published and not yet answered: what bounds memory. */
  window: number;
  /** Says a problem that does not stop the run (a publish retried while the server is away). */
  log: (line: string) => void;
  /** Says, whatever --verbose, a worker that left the job for a fault of its own (notice.ts). */
  say: (line: string) => void;
  /**
   * The results stream's last sequence when the coordinator started: blocks are published only
   * once the results up to it are read, so that a resumed job sends no answered block again.
   */
  resultsUpTo: number;
  /**
   * The results stream's last sequence before the coordinator started the job: the workers'
   * notices after it are to this coordinator (a worker waiting for the job tells it at once).
   */
  noticesAfter: number;
  /** Resolves once the server has been gone too long (gone.ts): the blocks given fail. */
  gone?: Promise<Error>;
  /** Told that the job cannot be resumed with this input (another --header): exit 2. */
  refuse?: (error: UsageError) => void;
  /** How its messages name the job's options: manifold fan --queue's flags unless said. */
  optionName?: JobOptionName;
  /**
   * Told once every block of the input is answered: the job needs nothing more of the server
   * but its removal, and its removal by another is no loss (open.ts).
   */
  answered?: () => void;
}

/**
 * The coordinator's side of the queue as the fan engine's one worker: blocks are published to
 * the job's work-queue stream, and results read from its results stream are handed back to the
 * engine as each block's output. Output was tied to blocks by the workers that made it, so this
 * kind gives a `Worker` whole, with no attribution over a transport here.
 */
export function queueKind(job: CoordinatedJob): AttributedKind {
  return {
    openWorker: (slot, listener, header) =>
      new QueueWorker(slot, job, listener, header ?? noHeader()),
  };
}

class QueueWorker implements Worker {
  readonly slot: number;
  readonly #job: CoordinatedJob;
  readonly #listener: WorkerListener;
  /** The job's results stream, read from its start (result-stream.ts). */
  readonly #results: ResultStream;
  /** Blocks the engine gave and the queue has not answered, by sequence. */
  readonly #blocks = new Map<number, Block>();
  /** Blocks published by this coordinator (a block given again is not published again). */
  readonly #published = new Set<number>();
  #outstanding = 0;
  #ended = false;
  #inputEnded = false;
  #stopped = false;
  /**
   * Blocks given before the results already stored were read (they wait to know theirs), or
   * before the header (--header) was given to the workers: null once both are.
   */
  #waiting: Block[] | null = [];
  /** A table no worker can fetch (notice.ts): every block fails with it. */
  #unservable: { worker: string; reason: string } | null = null;
  /** --header: the input's, filled in before the first block comes; null once published. */
  #header: InputHeader | null;

  constructor(slot: number, job: CoordinatedJob, listener: WorkerListener, header: InputHeader) {
    this.slot = slot;
    this.#job = job;
    this.#listener = listener;
    this.#header = job.spec.header == null ? null : header;
    this.#results = new ResultStream(job, {
      readUpTo: () => this.#caughtUp(),
      answered: (seq) => {
        const block = this.#blocks.get(seq);
        if (block === undefined) return;
        this.#answer(block, this.#results.book.take(seq)!);
      },
      unservable: (failure) => this.#cannotServe(failure),
    });
    this.#results.readAll().catch((error: unknown) => this.#lose(describeError(error)));
    // Later than who else hears it (the command line stops the run first, and says it once).
    job.gone?.then((error) => setImmediate(() => this.#lose(error.message)));
  }

  get backlog(): number {
    return this.#outstanding;
  }

  get ready(): boolean {
    return !this.#ended && !this.#inputEnded && this.#outstanding < this.#job.window;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get inFlight(): readonly Block[] {
    return [...this.#blocks.values()];
  }

  /** A block's output is made by a worker of the job's, named as a failed block's is. */
  outputMaker(block?: Block): string | undefined {
    const tried = block?.tried;
    if (tried === undefined) return undefined;
    return `job "${this.#job.names.job}": queue worker on ${tried.host}: worker ${tried.slot}`;
  }

  send(block: Block): void {
    this.#blocks.set(block.seq, block);
    this.#outstanding += block.bytes;
    if (this.#waiting === null) {
      this.#publish(block);
      return;
    }
    this.#waiting.push(block);
    if (this.#header !== null && this.#waiting.length === 1) this.#giveHeader(this.#header);
  }

  /** The header goes to the workers before any block (or is checked, for a resumed job). */
  #giveHeader(header: InputHeader): void {
    const { conn, names, spec, log } = this.#job;
    const name = this.#job.optionName;
    settleHeader(conn, names, spec.run, header, () => this.#stopped, log, name).then(
      (given) => {
        if (!given) return;
        this.#header = null;
        this.#caughtUp();
      },
      (error: unknown) => {
        if (error instanceof UsageError) this.#job.refuse?.(error);
        // Later than who else hears it, as for the server gone.
        setImmediate(() => this.#lose(describeError(error)));
      },
    );
  }

  /** Gives a block its stored answer, or publishes it (once). */
  #publish(block: Block): void {
    const result = this.#results.book.take(block.seq);
    if (result !== null) {
      // Answered already (a resumed job): given back without going to the queue again.
      setImmediate(() => this.#answer(block, result));
      return;
    }
    const unservable = this.#unservable;
    if (unservable !== null) {
      setImmediate(() => this.#answer(block, { kind: 'failed', ...unservable }));
      return;
    }
    if (this.#published.has(block.seq)) return;
    this.#published.add(block.seq);
    const reason = refusedBlock(this.#job.conn, block);
    if (reason !== null) {
      setImmediate(() => this.#answer(block, { kind: 'failed', worker: 'the queue', reason }));
      return;
    }
    publishBlock(this.#job, block, () => this.#stopped).catch((error: unknown) =>
      this.#lose(describeError(error)),
    );
  }

  end(): void {
    this.#inputEnded = true;
    this.#endIfDone();
  }

  /** Output waits while the output's reader is slow; not for the ordered merge, see docs/queue.md. */
  pause(reason: string): void {
    // Results come back in any order, and the one the ordered merge waits for may be behind the
    // ones it holds: pausing for it would wait for ever. Its memory is bounded by the window.
    if (reason !== 'ordered') this.#results.pause(reason);
  }

  resume(reason: string): void {
    this.#results.resume(reason);
  }

  stop(_reason: StopReason): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#results.stop();
    if (!this.#ended) this.#finish({ kind: 'stopped' }, []);
  }

  abandon(reason: string): void {
    this.#lose(reason);
  }

  restart(): void {
    this.#ended = false;
    this.#inputEnded = false;
  }

  processIds(): number[] {
    return [];
  }

  /** Blocks wait no more once the stored results are read and the header given. */
  #caughtUp(): void {
    if (!this.#results.read || this.#header !== null) return;
    const waiting = this.#waiting ?? [];
    this.#waiting = null;
    for (const block of waiting) if (this.#blocks.get(block.seq) === block) this.#publish(block);
  }

  /** A table no worker can fetch, the stored object being bad: the run fails, every block with it. */
  #cannotServe(failure: { worker: string; reason: string }): void {
    if (this.#unservable !== null) return;
    this.#unservable = failure;
    if (this.#stopped || this.#ended) return;
    this.#finish({ kind: 'failed', ...failure, retryable: false }, [...this.#blocks.values()]);
  }

  #answer(block: Block, result: BlockResult): void {
    if (this.#stopped || this.#blocks.get(block.seq) !== block) return;
    if (result.input !== undefined && result.input !== crc32(block.parts)) {
      this.#otherInput(block);
      return;
    }
    this.#blocks.delete(block.seq);
    this.#outstanding -= block.bytes;
    if (result.tried !== undefined) block.tried = result.tried;
    if (result.kind === 'failed') {
      // As a per-block worker's instance that failed: the block ends, the worker goes on.
      const end = {
        kind: 'failed',
        worker: result.worker,
        reason: result.reason,
        retryable: false,
      } as const;
      this.#listener.onExit(this, end, [block]);
      this.#endIfDone();
      return;
    }
    for (const piece of result.pieces) this.#listener.onBlockOutput(this, block, piece);
    this.#listener.onBlockDone(this, block);
    this.#endIfDone();
  }

  /**
   * An answer made from other bytes than this input's block: the job was started with another
   * input (run again under its name, or a second coordinator of it at once). Its stored answers
   * are not this input's: refused (exit 2), the job kept, as for another header.
   */
  #otherInput(block: Block): void {
    const error = new UsageError(
      `job "${this.#job.names.job}" on the queue was started with another input: the answer stored for ${describeBlock(block)} was made from other bytes than this input's: resume it with the same input, or give another ${(this.#job.optionName ?? jobFlagOf)('job')}`,
    );
    this.#job.refuse?.(error);
    // Later than who else hears it, as for the server gone.
    setImmediate(() => this.#lose(error.message));
  }

  #endIfDone(): void {
    if (this.#inputEnded && this.#blocks.size === 0 && !this.#ended) {
      this.#job.answered?.();
      this.#finish({ kind: 'ok' }, []);
    }
  }

  /** The queue cannot go on (its results cannot be read): every block given fails with it. */
  #lose(reason: string): void {
    if (this.#stopped || this.#ended) return;
    this.#finish({ kind: 'failed', worker: 'the queue', reason, retryable: false }, [
      ...this.#blocks.values(),
    ]);
  }

  /** This worker has ended, as the engine hears; the blocks it had go back to it. */
  #finish(end: WorkerOutcome, unfinished: Block[]): void {
    this.#ended = true;
    this.#blocks.clear();
    this.#outstanding = 0;
    this.#listener.onExit(this, end, unfinished);
  }
}
