import { describeError, ExitCode, RecordError } from '../../filters/index.js';
import type { Block } from '../workers/block.js';
import { type InputHeader, noHeader } from '../workers/header.js';
import type { Worker, WorkerListener, WorkerOutcome } from '../workers/types.js';
import { BlockSizes } from './block-size.js';
import { BlockClock } from './clock.js';
import type { Collector } from './collect.js';
import { Dispatcher } from './dispatch.js';
import { describeFailure, type Given, noteGiven } from './failure.js';
import { HaltCounter } from './halting.js';
import { InputReader, inputName } from './input.js';
import { JobLog } from './joblog.js';
import type { FanOptions, HaltMode, Log, Reporter } from './options.js';
import { createCollector, createWorkers } from './parts.js';
import { Progress } from './progress.js';
import { readInput } from './reading.js';
import { Stats } from './stats.js';
import { FanWriter } from './writer.js';

/** How a fan ended. */
export type FanEnd =
  | { kind: 'done'; status: number }
  | { kind: 'closed' }
  | { kind: 'signal'; signal: NodeJS.Signals };

const STOP_GRACE_MS = 2000;

/**
 * One fan: reads the input, cuts it into blocks, farms them to the workers, collects their
 * output. The engine owns the queues and the decisions (dispatch, retries, halting); workers own
 * their transports (processes today); collectors own the order of the output.
 */
export class Fan implements WorkerListener {
  readonly #options: FanOptions;
  readonly #log: Log;
  readonly #writer: FanWriter;
  readonly #input: InputReader;
  readonly #workers: Worker[];
  readonly #collector: Collector;
  readonly #dispatcher: Dispatcher;
  readonly #stats: Stats;
  readonly #given = new Map<Worker, Given>();
  /** Failed workers that had nothing to do: started again when a block comes. */
  readonly #resting = new Set<Worker>();
  #progress: Progress | null = null;
  #aborted: Promise<void> | undefined;
  readonly #blockSizes: BlockSizes;
  #stopping: FanEnd | null = null;
  readonly #stopped = new AbortController();
  #failed = false;
  #notFound = false;
  #wake: (() => void) | null = null;
  #allEnded!: () => void;
  readonly #ended = new Promise<void>((resolve) => {
    this.#allEnded = resolve;
  });

  readonly #label: string;
  readonly #reporter: Reporter;
  /** --header: the input's first records, filled in as they are read. */
  readonly #header: InputHeader = noHeader();
  readonly #halts: HaltCounter;
  /** --halt soon acted: no block is started any more; the running ones finish. */
  #haltingSoon = false;
  readonly #clock: BlockClock | null;
  readonly #joblog: JobLog | null;
  /** Closes an input file read as ranges, at the end of the run. */
  #closeInput: () => void = () => {};

  /** `label` names the fan in failure messages when it is a stage of a pipeline. */
  constructor(options: FanOptions, log: Log, label = '') {
    this.#options = options;
    this.#blockSizes = new BlockSizes(options, log);
    this.#log = log;
    this.#label = label;
    this.#reporter = options.reporter ?? process.stderr;
    const remote = options.remote;
    this.#stats = new Stats(
      options.workers,
      options.outputFraming,
      remote === undefined ? undefined : (slot) => remote.hostOf(slot),
    );
    this.#input = new InputReader(options.inputs, options.inputFd ?? 0, options.input);
    this.#halts = new HaltCounter(options.halt, options.haltOn);
    this.#clock = options.timeout === undefined ? null : new BlockClock(options.timeout);
    // Opened before any worker starts: a log that cannot be written stops the run first.
    this.#joblog = options.joblog ? new JobLog(options.joblog, options.outputFraming) : null;
    const { workers, sortMerge } = createWorkers(options, this, this.#header, log);
    this.#workers = workers;
    this.#writer = new FanWriter(options, this.#workers, this.#stats, this.#stopped.signal);
    const writer = this.#writer;
    const room = () => writer.room();
    this.#collector = createCollector(
      options,
      this.#workers,
      (worker, parts) => writer.emit(worker, parts),
      room,
      this.#header,
      sortMerge && {
        plan: sortMerge,
        sink: {
          emit: (parts, records) => writer.emitMerged(parts, records),
          get full() {
            return writer.sink.full;
          },
          room,
          fail: (error) => this.#fail(describeError(error)),
        },
      },
    );
    this.#dispatcher = new Dispatcher(
      options,
      this.#workers,
      (block) => this.#collector.mayStart(block),
      (worker, block) => this.#sent(worker, block),
    );
    writer.sink.on('closed', () => this.stop({ kind: 'closed' }));
    writer.sink.on('error', (error: Error) =>
      this.#fail(
        `cannot write ${options.output === undefined ? 'stdout' : 'the output'}: ${describeError(error)}`,
      ),
    );
  }

  /** Runs to the end; resolves to how it ended. Never throws for a worker's failure. */
  async run(inputSize: number | null): Promise<FanEnd> {
    if (this.#options.progress)
      this.#progress = new Progress(this.#stats, this.#workers, inputSize, this.#reporter);
    try {
      await this.#readAll();
    } catch (error) {
      // Once stopping, reading ends by having its stream destroyed: no news. The splitters
      // number records; the input's name is known here.
      const { inputs, inputFd, input } = this.#options;
      const named =
        error instanceof RecordError ? error.in(inputName(inputs, inputFd, input)) : error;
      if (this.#stopping === null && !this.#haltingSoon) this.#fail(describeError(named));
    }
    await this.#ended;
    if (this.#stopping === null && !this.#dispatcher.idle) {
      // Every worker has ended with blocks still waiting: say so rather than lose them quietly.
      this.#fail(
        `${this.#dispatcher.waiting} block(s) of input were never given to a worker: every worker had ended`,
      );
    }
    try {
      if (this.#stopping === null) await this.#collector.finish();
    } catch (error) {
      this.#fail(describeError(error));
    }
    // What the collector started (a sort -m) has ended too, when stopped.
    await this.#aborted;
    if (this.#stopping === null) this.#writer.end();
    // Stopped by a signal, manifold goes now, as a program killed by it would: it does not wait
    // for a reader that may have stopped reading to take what is queued.
    if (this.#stopping?.kind !== 'signal') await this.#writer.sink.finish();
    // The end of the output, for its reader; never of manifold's own stdout or stderr.
    if (this.#options.output !== undefined || (this.#options.outputFd ?? 1) > 2)
      this.#writer.sink.close();
    this.#progress?.stop();
    this.#joblog?.close();
    this.#closeInput();
    const end = this.#stopping ?? { kind: 'done', status: this.#status() };
    if (this.#options.stats !== null) {
      const status = end.kind === 'done' ? end.status : ExitCode.failure;
      this.#stats.write(this.#options.stats, status, this.#reporter);
    }
    return end;
  }

  /** Every worker process started so far (none for workers that are not local processes). */
  get pids(): number[] {
    return this.#workers.flatMap((worker) => worker.processIds());
  }

  /** What --stats reports, so far. */
  summary(): object {
    return this.#stats.summary(this.#status());
  }

  /** Stops every worker and what it started; the run then ends as `end` says. */
  stop(end: FanEnd): void {
    if (this.#stopping !== null) return;
    this.#stopping = end;
    this.#stopped.abort();
    this.#clock?.stopAll();
    this.#aborted = this.#collector.abort?.();
    this.#settle();
    this.#wake?.();
    this.#input.close();
    for (const worker of this.#workers) worker.stop('graceful');
    setTimeout(() => {
      for (const worker of this.#workers) if (!worker.ended) worker.stop('kill');
    }, STOP_GRACE_MS).unref();
  }

  async #readAll(): Promise<void> {
    await readInput({
      options: this.#options,
      log: this.#log,
      input: this.#input,
      sizes: this.#blockSizes,
      dispatcher: this.#dispatcher,
      header: this.#header,
      add: (block) => this.#add(block),
      roomForMore: () => this.#roomForMore(),
      stopped: () => this.#stopping !== null || this.#haltingSoon,
      closeAtEnd: (close) => {
        this.#closeInput = close;
      },
    });
    this.#dispatcher.endInput();
    this.#settle();
  }

  #add(block: Block): void {
    if (this.#haltingSoon) return;
    this.#wakeResting();
    // Added first: a block cut without counting its records is numbered as it is split.
    this.#dispatcher.add(block);
    this.#stats.read(block);
  }

  /** Resolves once the queues have room again: the input waits while they are full. */
  async #roomForMore(): Promise<void> {
    // Two blocks waiting is enough to keep every worker busy; more would only hold memory.
    const limit = 2 * this.#blockSizes.current;
    while (this.#stopping === null && !this.#haltingSoon && this.#dispatcher.queuedBytes > limit) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #kick(): void {
    this.#dispatcher.pump();
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #sent(worker: Worker, block: Block): void {
    this.#stats.sent(worker, block);
    this.#clock?.sent(worker, block);
    this.#joblog?.sent(worker, block);
    if (this.#options.attribution === 'none') noteGiven(this.#given, worker, block);
  }

  // WorkerListener: what the workers report.

  onOutput(worker: Worker, chunk: Buffer): void {
    this.#guard(() => this.#collector.output(worker, chunk));
  }

  onBlockOutput(worker: Worker, block: Block, chunk: Buffer): void {
    this.#joblog?.output(worker, block, chunk);
    this.#guard(() => this.#collector.blockOutput(worker, block, chunk));
  }

  onBlockDone(worker: Worker, block: Block): void {
    this.#stats.finished(worker);
    this.#clock?.done(worker, block);
    this.#joblog?.done(worker, block, this.#options.attribution === 'per-block');
    this.#guard(() => this.#collector.blockDone(worker, block));
    const halt = this.#stopping === null ? this.#halts.done() : null;
    if (halt !== null) this.#halt(halt, 'success');
    this.#kick();
  }

  onTrailingOutput(worker: Worker, chunk: Buffer): void {
    if (this.#options.attribution === 'one-to-one') {
      this.#fail(
        `worker ${worker.slot} wrote more records than it read, which --one-to-one forbids`,
      );
      return;
    }
    this.#guard(() => this.#collector.trailing(worker, chunk));
  }

  onReady(): void {
    this.#kick();
  }

  onExit(worker: Worker, end: WorkerOutcome, unfinished: Block[]): void {
    this.#stats.exited(worker, end);
    const timedOut = this.#clock?.exited(worker) ?? false;
    this.#joblog?.exited(worker, end);
    if (end.kind === 'cannot-start') {
      if (this.#stopping === null) this.#cannotStart(worker, end.reason);
    } else if (end.kind === 'failed' && this.#stopping === null)
      this.#onFailure(worker, end, unfinished, timedOut);
    if (worker.ended && !this.#resting.has(worker))
      this.#guard(() => this.#collector.workerEnded(worker));
    if (this.#resting.size === 0 && this.#workers.every((w) => w.ended)) this.#allEnded();
    this.#kick();
  }

  #onFailure(
    worker: Worker,
    end: WorkerOutcome & { kind: 'failed' },
    unfinished: Block[],
    timedOut: boolean,
  ): void {
    const { retries, attribution } = this.#options;
    if (end.notFound) this.#notFound = true;
    // The oldest unfinished block is the one the worker was on: it alone is charged. Those
    // behind it only waited their turn and go again as they are, so each failure charges one
    // block, and a block fails at most 1 + retries times.
    const head = attribution === 'none' ? undefined : unfinished[0];
    this.#collector.workerFailed(worker);
    for (const block of unfinished) this.#collector.blockFailed(worker, block);
    const given = attribution === 'none' ? (this.#given.get(worker) ?? null) : unfinished;
    if (head !== undefined && end.retryable && head.failures < retries && !this.#haltingSoon) {
      head.failures++;
      const line = `${describeFailure(end, given)}; trying again (${head.failures} of ${retries})`;
      // A worker manifold killed for taking too long is news even when its block goes again.
      if (timedOut) this.#say(line);
      else this.#log(line);
      this.#restart(worker, unfinished);
      return;
    }
    this.#failed = true;
    // Under --halt soon every block the worker had is lost: none is started again.
    const halt = this.#halts.failed() ?? (this.#haltingSoon ? 'soon' : null);
    const lost = halt === null ? unfinished.slice(0, 1) : unfinished;
    for (const block of lost) {
      this.#collector.blockLost(worker, block, halt !== null);
      this.#joblog?.lost(worker, block, end);
    }
    this.#say(describeFailure(end, attribution === 'none' ? given : lost));
    if (halt !== null) {
      this.#halt(halt, 'fail');
    } else if (unfinished.length > 1 || this.#dispatcher.hasWorkFor(worker)) {
      // Only a worker with something to do is started again: one that fails with nothing to
      // read (at the end of input, or waiting for it) would fail and be restarted for ever.
      this.#restart(worker, unfinished.slice(1));
    } else if (worker.ended && !this.#dispatcher.inputEnded) {
      this.#resting.add(worker);
    }
  }

  /**
   * --halt acts: `now` stops every worker (the run's status says whether a block failed);
   * `soon` starts no more blocks, reads no more input, and lets the running blocks finish.
   */
  #halt(halt: HaltMode, why: 'fail' | 'success'): void {
    if (halt === 'now') {
      this.stop({ kind: 'done', status: this.#status() });
      return;
    }
    if (this.#haltingSoon) return;
    this.#haltingSoon = true;
    const line = `--halt soon: ${why === 'fail' ? 'a block failed' : 'enough blocks are done'}; starting no more blocks, letting the running ones finish`;
    if (why === 'fail') this.#say(line);
    else this.#log(line);
    this.#input.close();
    this.#dispatcher.halt();
    this.#settle();
    this.#wake?.();
  }

  /** A block has come: the failed workers that had nothing to do start again for it. */
  #wakeResting(): void {
    for (const worker of this.#resting) {
      this.#resting.delete(worker);
      if (this.#stopping === null) this.#restart(worker, []);
    }
  }

  /** No block will come any more: the workers that rest have ended for good. */
  #settle(): void {
    const resting = [...this.#resting];
    this.#resting.clear();
    for (const worker of resting) this.#guard(() => this.#collector.workerEnded(worker));
    if (this.#workers.every((w) => w.ended)) this.#allEnded();
  }

  /** A worker could not be started (out of descriptors or processes): the run cannot go on. */
  #cannotStart(worker: Worker, reason: string): void {
    this.#failed = true;
    this.#say(`cannot start worker ${worker.slot}: ${reason}`);
    this.stop({ kind: 'done', status: ExitCode.usage });
  }

  #restart(worker: Worker, blocks: Block[]): void {
    if (worker.ended) {
      worker.restart();
      this.#dispatcher.reopen(worker);
    }
    if (blocks.length === 0) return;
    try {
      // Blocks of a file gave their memory back once sent: their bytes are read again.
      for (const block of blocks) block.reread?.();
    } catch (error) {
      this.#fail(describeError(error));
      return;
    }
    this.#dispatcher.retry(blocks, worker);
  }

  #fail(message: string): void {
    this.#failed = true;
    this.#say(message);
    this.stop({ kind: 'done', status: ExitCode.failure });
  }

  /** A failure's one line for the reporter (stderr), naming the stage when the fan is one of a pipeline. */
  #say(message: string): void {
    const line = `${this.#label === '' ? '' : `stage ${this.#label}: `}${message}`;
    const reporter = this.#reporter;
    if (reporter.failure !== undefined) reporter.failure(line);
    else reporter.write(`manifold: ${line}\n`);
  }

  /** Runs a collector step; once stopping, output still arriving is no longer wanted. */
  #guard(action: () => void): void {
    if (this.#stopping !== null) return;
    try {
      action();
    } catch (error) {
      this.#fail(describeError(error));
    }
  }

  #status(): number {
    if (this.#notFound) return ExitCode.notFound;
    return this.#failed ? ExitCode.failure : ExitCode.ok;
  }
}
