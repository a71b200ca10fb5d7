import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { FrameKind } from '../frame/index.js';
import { askQueue, type QueueConnection } from './connect.js';
import type { JobSpec } from './job.js';
import {
  HEADER_INPUT,
  HEADER_PIECE,
  HEADER_PIECES,
  numberHeader,
  readMessage,
} from './messages.js';
import type { JobNames } from './names.js';
import { describeNotice, noticeKey, readNotice } from './notice.js';
import { ResultBook } from './results.js';
import { checkTry, readTryHeaders } from './try-report.js';

// The coordinator's reading of a job's results stream (coordinator.ts): from its start, so that
// a resumed job finds the answers it had; each block's pieces, end or failure into the book, and
// the workers' notices; held back while the output waits.

/** What the results stream says to the coordinator's worker. */
export interface ResultListener {
  /** The results stored when the coordinator started have been read. */
  readUpTo(): void;
  /** A block's result is in the book now. */
  answered(seq: number): void;
  /** A table no worker can fetch (notice.ts): every block fails with it. */
  unservable(failure: { worker: string; reason: string }): void;
}

/** The job as its results stream is read. */
export interface ResultsOf {
  conn: QueueConnection;
  names: JobNames;
  spec: JobSpec;
  resultsUpTo: number;
  noticesAfter: number;
  say: (line: string) => void;
}

/** A job's results as they are read, in a book of each block's result. */
export class ResultStream {
  readonly book = new ResultBook();
  readonly #job: ResultsOf;
  readonly #listener: ResultListener;
  #stopped = false;
  #paused = new Set<string>();
  #resume: (() => void) | null = null;
  #messages: ConsumerMessages | null = null;
  #read = false;
  /** Machine faults said, by machine and what failed there (noticeKey): each is said once. */
  readonly #said = new Set<string>();

  constructor(job: ResultsOf, listener: ResultListener) {
    this.#job = job;
    this.#listener = listener;
  }

  /** Whether the results stored when the coordinator started have been read. */
  get read(): boolean {
    return this.#read;
  }

  /** Reads the job's results from the start: a resumed job finds the answers it had. */
  async readAll(): Promise<void> {
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
      if (!this.#read && message.seq >= this.#job.resultsUpTo) this.#readUpTo();
      while (this.#paused.size > 0 && !this.#stopped) {
        await new Promise<void>((resolve) => {
          this.#resume = resolve;
        });
      }
      if (this.#stopped) break;
    }
  }

  pause(reason: string): void {
    this.#paused.add(reason);
  }

  resume(reason: string): void {
    this.#paused.delete(reason);
    if (this.#paused.size === 0) {
      const wake = this.#resume;
      this.#resume = null;
      wake?.();
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#messages?.stop();
    this.#resume?.();
  }

  #readUpTo(): void {
    this.#read = true;
    this.#listener.readUpTo();
  }

  #onResult(message: JsMsg): void {
    const { names } = this.#job;
    if (message.subject === names.specSubject || message.subject === names.headerSubject) return;
    if (message.subject === names.noticeSubject) {
      this.#onNotice(message);
      return;
    }
    const frame = readMessage(message.data);
    const book = this.book;
    let news = false;
    if (message.subject === names.outSubject && frame.kind === FrameKind.Output) {
      book.piece(frame.seq, frame.run, numberHeader(message.headers, HEADER_PIECE), frame.payload);
    } else if (message.subject === names.doneSubject && frame.kind === FrameKind.BlockEnd) {
      const pieces = numberHeader(message.headers, HEADER_PIECES);
      const input = checksumOf(message.headers?.get(HEADER_INPUT));
      news = book.done(frame.seq, frame.run, pieces, {
        tried: readTryHeaders(message.headers),
        input,
      });
    } else if (message.subject === names.failedSubject && frame.kind === FrameKind.Error) {
      const { worker, reason, tried, input, notFound } = JSON.parse(
        frame.payload.toString('utf8'),
      ) as { worker: string; reason: string; tried?: unknown; input?: unknown; notFound?: unknown };
      const of = { tried: checkTry(tried), input: checksumOf(input) };
      const failure = { worker: this.#ofJob(worker), reason, notFound: notFound === true };
      news = book.failed(frame.seq, failure, of);
    }
    if (!news) return;
    this.#listener.answered(frame.seq);
  }

  /**
   * A worker cannot fetch a table or run its command: said, and the job goes on with the others;
   * or, the stored object being bad, the run fails, every block with it. A notice stored before
   * this coordinator started the job is an earlier one's: the tables were stored again since.
   * That start is taken as the stream is read, not as the job's description is stored: a
   * worker waiting for the job that told it in between would not be heard.
   */
  #onNotice(message: JsMsg): void {
    const notice = readNotice(message.data, this.#job.spec.run);
    if (notice === null || message.seq <= this.#job.noticesAfter) return;
    const { worker, reason } = describeNotice(notice);
    const failure = { worker: this.#ofJob(worker), reason };
    if (notice.fault === 'machine') {
      // A worker run again by its supervisor tells it again at each start, its pid new.
      const key = noticeKey(notice);
      if (this.#said.has(key)) return;
      this.#said.add(key);
      this.#job.say(`${failure.worker} ${failure.reason}; the job goes on with the other workers`);
      return;
    }
    this.#listener.unservable(failure);
  }

  /** A worker of this job, as the coordinator names it: with the job, as the worker names itself. */
  #ofJob(worker: string): string {
    return `job "${this.#job.names.job}": ${worker}`;
  }
}

/** A block's checksum as an answer tells it; undefined when it tells none (an older worker). */
function checksumOf(value: unknown): number | undefined {
  const checksum = typeof value === 'string' && value !== '' ? Number(value) : value;
  return Number.isSafeInteger(checksum) && (checksum as number) >= 0
    ? (checksum as number)
    : undefined;
}
