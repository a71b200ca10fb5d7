import { describeError, UsageError } from '../../../filters/index.js';
import { type Block, describeBlock } from '../block.js';
import { inFlightOf, type ReadonlyInFlight } from '../block-queue.js';
import { crc32 } from '../frame/index.js';
import { type InputHeader, noHeader } from '../header.js';
import type { TermSeq } from '../termseq.js';
import type { StopReason } from '../transport.js';
import type { AttributedKind, Worker, WorkerListener, WorkerOutcome } from '../types.js';
import type { CoordinatedJob } from './coordinated-job.js';
import { jobFlagOf } from './names.js';
import { BlockPublisher } from './publisher.js';
import { ResultStream } from './result-stream.js';
import type { BlockResult } from './results.js';

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
  /** When its blocks go to the queue (publisher.ts). */
  readonly #publisher: BlockPublisher;
  #outstanding = 0;
  #ended = false;
  #inputEnded = false;
  #stopped = false;

  constructor(slot: number, job: CoordinatedJob, listener: WorkerListener, header: InputHeader) {
    this.slot = slot;
    this.#job = job;
    this.#listener = listener;
    this.#results = new ResultStream(job, {
      readUpTo: () => this.#publisher.caughtUp(),
      answered: (seq) => {
        const block = this.#blocks.get(seq);
        if (block === undefined) return;
        this.#answer(block, this.#results.book.take(seq)!);
      },
      unservable: (failure) => this.#cannotServe(failure),
    });
    this.#publisher = new BlockPublisher(
      job,
      this.#results,
      {
        stopped: () => this.#stopped,
        given: (block) => this.#blocks.get(block.seq) === block,
        answer: (block, result) => this.#answer(block, result),
        lose: (reason) => this.#lose(reason),
      },
      header,
    );
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

  get inFlight(): ReadonlyInFlight {
    return inFlightOf([...this.#blocks.values()]);
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
    this.#publisher.give(block);
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

  abandon(reason: string, _seq: TermSeq): void {
    this.#lose(reason);
  }

  restart(): void {
    this.#ended = false;
    this.#inputEnded = false;
  }

  processIds(): number[] {
    return [];
  }

  /** A table no worker can fetch, the stored object being bad: the run fails, every block with it. */
  #cannotServe(failure: { worker: string; reason: string }): void {
    if (!this.#publisher.unservable(failure)) return;
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
        // Not found or not executable on its last try: the run's status is 127, as locally.
        notFound: result.notFound === true,
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
      `job "${this.#job.names.job}" on the queue was started with another input: the answer stored for ${describeBlock(block, this.#job.places)} was made from other bytes than this input's: resume it with the same input, or give another ${(this.#job.optionName ?? jobFlagOf)('job')}`,
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
