import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { describeError, formatSize, UsageError } from '../../../filters/index.js';
import type { Block } from '../block.js';
import { FrameKind } from '../frame/index.js';
import { type InputHeader, noHeader } from '../header.js';
import type { StopReason } from '../transport.js';
import type { AttributedKind, Worker, WorkerListener, WorkerOutcome } from '../types.js';
import { askQueue, type QueueConnection } from './connect.js';
import { settleHeader } from './header.js';
import type { JobSpec } from './job.js';
import {
  frameMessage,
  HEADER_FIRST_RECORD,
  HEADER_PIECE,
  HEADER_PIECES,
  HEADER_RECORDS,
  headersOf,
  MESSAGE_OVERHEAD,
  numberHeader,
  readMessage,
} from './messages.js';
import type { JobNames } from './names.js';
import { describeNotice, readNotice } from './notice.js';
import { publishUntilStored } from './publish.js';
import { type BlockResult, ResultBook } from './results.js';
import { checkTry, readTryHeaders } from './try-report.js';

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
  /** Resolves once the server has been gone too long (gone.ts): the blocks given fail. */
  gone?: Promise<Error>;
  /** Told that the job cannot be resumed with this input (another --header): exit 2. */
  refuse?: (error: UsageError) => void;
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
  readonly #book = new ResultBook();
  /** Blocks the engine gave and the queue has not answered, by sequence. */
  readonly #blocks = new Map<number, Block>();
  /** Blocks published by this coordinator (a block given again is not published again). */
  readonly #published = new Set<number>();
  #outstanding = 0;
  #ended = false;
  #inputEnded = false;
  #stopped = false;
  #paused = new Set<string>();
  #resume: (() => void) | null = null;
  #messages: ConsumerMessages | null = null;
  /**
   * Blocks given before the results already stored were read (they wait to know theirs), or
   * before the header (--header) was given to the workers: null once both are.
   */
  #waiting: Block[] | null = [];
  /** A table no worker can fetch (notice.ts): every block fails with it. */
  #unservable: { worker: string; reason: string } | null = null;
  #resultsRead = false;
  /** --header: the input's, filled in before the first block comes; null once published. */
  #header: InputHeader | null;

  constructor(slot: number, job: CoordinatedJob, listener: WorkerListener, header: InputHeader) {
    this.slot = slot;
    this.#job = job;
    this.#listener = listener;
    this.#header = job.spec.header == null ? null : header;
    this.#readResults().catch((error: unknown) => this.#lose(describeError(error)));
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
    settleHeader(conn, names, spec.run, header, () => this.#stopped, log).then(
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
    const result = this.#book.take(block.seq);
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
    const { conn, spec, names } = this.#job;
    if (block.bytes + MESSAGE_OVERHEAD > conn.maxPayload) {
      const reason = `refused a message of ${formatSize(block.bytes)} (over max_payload ${formatSize(conn.maxPayload)} less ${MESSAGE_OVERHEAD} bytes kept for headers: a record that large needs a larger max_payload, docs/queue.md)`;
      setImmediate(() => this.#answer(block, { kind: 'failed', worker: 'the queue', reason }));
      return;
    }
    const data = frameMessage(FrameKind.Block, spec.run, block.seq, block.parts);
    const headers = headersOf({
      [HEADER_FIRST_RECORD]: block.firstRecord,
      [HEADER_RECORDS]: block.records,
    });
    publishUntilStored(
      conn,
      names.blocksSubject,
      data,
      { msgID: `${names.job}.${block.seq}`, headers },
      () => this.#stopped,
      this.#job.log,
    ).catch((error: unknown) => this.#lose(describeError(error)));
  }

  end(): void {
    this.#inputEnded = true;
    this.#endIfDone();
  }

  /** Output waits while the output's reader is slow; not for the ordered merge, see docs/queue.md. */
  pause(reason: string): void {
    // Results come back in any order, and the one the ordered merge waits for may be behind the
    // ones it holds: pausing for it would wait for ever. Its memory is bounded by the window.
    if (reason !== 'ordered') this.#paused.add(reason);
  }

  resume(reason: string): void {
    this.#paused.delete(reason);
    if (this.#paused.size === 0) {
      const wake = this.#resume;
      this.#resume = null;
      wake?.();
    }
  }

  stop(_reason: StopReason): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#messages?.stop();
    this.#resume?.();
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

  /** Reads the job's results from the start: a resumed job finds the answers it had. */
  async #readResults(): Promise<void> {
    const { conn, names } = this.#job;
    const consumer = await askQueue(conn, `the results of job "${names.job}"`, () =>
      conn.js.consumers.get(names.resultsStream),
    );
    // Short pulls: a pull lost with a restarted server is noticed (missed heartbeats) in seconds.
    this.#messages = await consumer.consume({ expires: 5000 });
    if (this.#stopped) this.#messages.stop();
    if (this.#job.resultsUpTo === 0) this.#readUpTo();
    for await (const message of this.#messages) {
      this.#onResult(message);
      if (!this.#resultsRead && message.seq >= this.#job.resultsUpTo) this.#readUpTo();
      while (this.#paused.size > 0 && !this.#stopped) {
        await new Promise<void>((resolve) => {
          this.#resume = resolve;
        });
      }
      if (this.#stopped) break;
    }
  }

  #readUpTo(): void {
    this.#resultsRead = true;
    this.#caughtUp();
  }

  /** Blocks wait no more once the stored results are read and the header given. */
  #caughtUp(): void {
    if (!this.#resultsRead || this.#header !== null) return;
    const waiting = this.#waiting ?? [];
    this.#waiting = null;
    for (const block of waiting) if (this.#blocks.get(block.seq) === block) this.#publish(block);
  }

  #onResult(message: JsMsg): void {
    const { names } = this.#job;
    if (message.subject === names.specSubject || message.subject === names.headerSubject) return;
    if (message.subject === names.noticeSubject) {
      this.#onNotice(message);
      return;
    }
    const frame = readMessage(message.data);
    const book = this.#book;
    let news = false;
    if (message.subject === names.outSubject && frame.kind === FrameKind.Output) {
      book.piece(frame.seq, frame.run, numberHeader(message.headers, HEADER_PIECE), frame.payload);
    } else if (message.subject === names.doneSubject && frame.kind === FrameKind.BlockEnd) {
      const pieces = numberHeader(message.headers, HEADER_PIECES);
      news = book.done(frame.seq, frame.run, pieces, readTryHeaders(message.headers));
    } else if (message.subject === names.failedSubject && frame.kind === FrameKind.Error) {
      const { worker, reason, tried } = JSON.parse(frame.payload.toString('utf8')) as {
        worker: string;
        reason: string;
        tried?: unknown;
      };
      news = book.failed(frame.seq, worker, reason, checkTry(tried));
    }
    if (!news) return;
    const block = this.#blocks.get(frame.seq);
    if (block === undefined) return;
    this.#answer(block, book.take(frame.seq)!);
  }

  /**
   * A worker cannot fetch a table: said, and the job goes on with the others; or, the stored
   * object being bad, the run fails, every block with it. A notice stored before this
   * coordinator started is an earlier one's: the tables were stored again since.
   */
  #onNotice(message: JsMsg): void {
    const notice = readNotice(message.data, this.#job.spec.run);
    if (notice === null || message.seq <= this.#job.resultsUpTo) return;
    const failure = describeNotice(notice);
    if (notice.fault === 'machine') {
      this.#job.say(`${failure.worker} ${failure.reason}; the job goes on with the other workers`);
      return;
    }
    if (this.#unservable !== null) return;
    this.#unservable = failure;
    if (this.#stopped || this.#ended) return;
    this.#finish({ kind: 'failed', ...failure, retryable: false }, [...this.#blocks.values()]);
  }

  #answer(block: Block, result: BlockResult): void {
    if (this.#stopped || this.#blocks.get(block.seq) !== block) return;
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

  #endIfDone(): void {
    if (this.#inputEnded && this.#blocks.size === 0 && !this.#ended)
      this.#finish({ kind: 'ok' }, []);
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
