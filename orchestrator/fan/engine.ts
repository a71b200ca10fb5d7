import { describeError, ExitCode, ManifoldError } from '../../filters/index.js';
import type { Block } from '../workers/block.js';
import { endGroupsLeft } from '../workers/group-left.js';
import { type InputHeader, noHeader } from '../workers/header.js';
import { killTime, STOP_SEQ, stopEach } from '../workers/termseq.js';
import type { Worker } from '../workers/types.js';
import { BlockSizes } from './block-size.js';
import { sizeBlocksPerWorker } from './blocks-per-worker.js';
import type { Collector } from './collect.js';
import { Dispatcher } from './dispatch.js';
import { endStatus, type FanEnd } from './end.js';
import { outputErrorLine, outputName, readErrorLine } from './failure-lines.js';
import { Feed } from './feed.js';
import { InputReader } from './input.js';
import { inputName } from './input-fd.js';
import { filePlaces } from './input-places.js';
import { LateSignal } from './late-signal.js';
import { BlockLedger } from './ledger.js';
import type { FanOptions, Log, Reporter } from './options.js';
import { createWorkers, createWritingCollector } from './parts.js';
import { beforeProgress, linesPastProgress, Progress } from './progress.js';
import { Recovery } from './recovery.js';
import { WorkerReports } from './reports.js';
import { Stats } from './stats.js';
import { Verdict } from './verdict.js';
import { FanWriter } from './writer.js';

export type { FanEnd } from './end.js';

/**
 * One fan: reads the input, cuts it into blocks, farms them to the workers, collects their
 * output. The engine owns the queues and the decisions (dispatch; retries and halting in
 * recovery.ts); workers own their transports (processes today); collectors own the order of the
 * output.
 */
export class Fan {
  readonly #options: FanOptions;
  #cause: unknown;
  readonly #writer: FanWriter;
  readonly #input: InputReader;
  readonly #workers: Worker[];
  readonly #collector: Collector;
  readonly #dispatcher: Dispatcher;
  readonly #stats: Stats;
  readonly #verdict: Verdict;
  readonly #recovery: Recovery;
  readonly #feed: Feed;
  #progress: Progress | null = null;
  /** Where --progress draws: the reporter as given. */
  readonly #drawOn: Reporter;
  #aborted: Promise<void> | undefined;
  #stopping: FanEnd | null = null;
  /** When the stop's sequence sends SIGKILL: what is left in workers' groups then is killed. */
  #killAt: number | null = null;
  /** What cuts each worker's stop sequence short (a second signal). */
  #hurries: (() => void)[] = [];
  readonly #stopped = new AbortController();
  readonly #late = new LateSignal();

  readonly #reporter: Reporter;
  /** --header: the input's first records, filled in as they are read. */
  readonly #header: InputHeader = noHeader();
  readonly #ledger: BlockLedger;

  /** `label` names the fan in failure messages when it is a stage of a pipeline. */
  constructor(given: FanOptions, said: Log, label = '') {
    // Manifold's own lines take --progress's line off the terminal first.
    const to = given.reporter ?? process.stderr;
    const { reporter, log } = beforeProgress(to, said, () => this.#progress);
    this.#drawOn = to;
    const sized = sizeBlocksPerWorker(given, log, label);
    const options = linesPastProgress(sized, to, () => this.#progress);
    this.#options = options;
    const sizes = new BlockSizes(options, log);
    this.#reporter = reporter;
    this.#verdict = new Verdict(this.#reporter, label);
    this.#stats = Stats.forFan(options);
    this.#input = new InputReader(options.inputs, options.inputFd ?? 0, options.input, {
      offThread: options.inputOffThread === true,
      name: options.inputFdName,
    });
    // Its job log opened before any worker starts: one that cannot be written stops the run first.
    this.#ledger = new BlockLedger(options, this.#stats, reporter, (message) =>
      this.#fail(message),
    );
    const reports = new WorkerReports({
      options,
      ledger: this.#ledger,
      collector: () => this.#collector,
      recovery: () => this.#recovery,
      stopping: () => this.#stopping !== null,
      guard: (action) => this.#guard(action),
      fail: (message) => this.#fail(message),
      kick: () => this.#kick(),
      stop: (end) => this.stop(end),
    });
    const { workers, sortMerge, taken } = createWorkers(options, reports, this.#header, log);
    this.#workers = workers;
    this.#writer = new FanWriter(options, this.#workers, this.#stats, this.#stopped.signal);
    const writer = this.#writer;
    this.#collector = createWritingCollector(options, this.#workers, writer, this.#header, {
      sortMerge,
      fail: (message, status) => this.#fail(message, undefined, status),
    });
    this.#dispatcher = new Dispatcher(
      options,
      this.#workers,
      (block) => this.#collector.mayStart(block),
      (worker, block) => this.#sent(worker, block),
      (worker) => this.#ledger.inputEnded(worker),
    );
    this.#recovery = new Recovery({
      options,
      log,
      workers: this.#workers,
      collector: this.#collector,
      dispatcher: this.#dispatcher,
      ledger: this.#ledger,
      verdict: this.#verdict,
      stopping: () => this.#stopping !== null,
      stop: (status) => this.stop({ kind: 'done', status }),
      closeInput: () => this.#input.close(),
      wake: () => this.#feed.wake(),
      guard: (action) => this.#guard(action),
      fail: (message) => this.#fail(message),
    });
    this.#feed = new Feed({
      options,
      log,
      input: this.#input,
      sizes,
      dispatcher: this.#dispatcher,
      header: this.#header,
      stats: this.#stats,
      recovery: this.#recovery,
      taken,
      stopping: this.#stopped.signal,
      stopped: () => this.#stopping !== null,
      readFailed: (error) => this.#readFailed(error),
    });
    writer.sink.on('closed', () => this.stop({ kind: 'closed' }));
    writer.sink.on('error', (error: NodeJS.ErrnoException) => {
      this.#fail(outputErrorLine(error, outputName(options)), error);
    });
  }

  /** Runs to the end; resolves to how it ended. Never throws for a worker's failure. */
  async run(inputSize: number | null): Promise<FanEnd> {
    if (this.#options.progress)
      this.#progress = new Progress(this.#stats, this.#workers, inputSize, this.#drawOn);
    try {
      await this.#feed.readAll();
    } catch (error) {
      this.#readFailed(error);
    }
    await this.#recovery.ended;
    // Stopped: what workers left in their process groups gets the sequence's end too.
    if (this.#killAt !== null) {
      const groups = this.#workers.flatMap((worker) => worker.processIds().slice(-1));
      await endGroupsLeft(groups, () => this.#killAt ?? 0);
    }
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
    if (this.#stopping?.kind !== 'signal') await this.#late.until(this.#writer.sink.finish());
    // The end of the output, for its reader; never of manifold's own stdout or stderr.
    // A library's Writable, stopped by a signal (an abort), is destroyed, its queued output
    // dropped, as the command line's is by its signal; otherwise ended.
    if (this.#options.output !== undefined || (this.#options.outputFd ?? 1) > 2)
      this.#writer.sink.close(this.#late.signal !== null);
    this.#progress?.stop();
    this.#ledger.close();
    await this.#feed.closeAtEnd();
    const late = this.#late.signal;
    const end: FanEnd =
      late !== null
        ? { kind: 'signal', signal: late }
        : (this.#stopping ?? { kind: 'done', status: this.#verdict.status() });
    if (this.#options.stats !== null)
      this.#stats.write(this.#options.stats, endStatus(end), this.#reporter);
    return end;
  }

  /** Every worker process started so far (none for workers that are not local processes). */
  get pids(): number[] {
    return this.#workers.flatMap((worker) => worker.processIds());
  }

  /** The exit statuses of the workers whose failures failed the run (`grep`'s 1 names a hint). */
  get failedStatuses(): ReadonlySet<number> {
    return this.#verdict.statuses;
  }

  /** What --stats reports, so far. */
  summary(): object {
    return this.#stats.summary(this.#verdict.status());
  }

  /** The error behind the first failure that had one: the input's or the output's stream's. */
  get cause(): unknown {
    return this.#cause;
  }

  /** Stops every worker and what it started; the run then ends as `end` says. */
  stop(given: FanEnd): void {
    // Its stderr gone as a failure was said there (SIGPIPE, from that write): the run failed,
    // exit 1, as when the line is said after the run (141 would read as a reader gone); it was
    // the one or the other as the line's write fell (QA). A pipeline's run does the same.
    const end: FanEnd =
      given.kind === 'signal' && given.signal === 'SIGPIPE' && this.#verdict.status() !== 0
        ? { kind: 'done', status: this.#verdict.status() }
        : given;
    // Heard however the run stands: one that waits only for its reader to take the output (the
    // workers done, a library's Writable stalled) waits no more (it waited for ever).
    if (end.kind === 'signal') this.#late.hear(end.signal);
    if (this.#stopping !== null) {
      // A signal while stopping (a second Ctrl-C) cuts the stop short: SIGKILL now, as parallel
      // kills its jobs on a second SIGTERM. Not SIGPIPE: each write of a gone stderr says it.
      if (end.kind === 'signal' && end.signal !== 'SIGPIPE') this.#hurry();
      return;
    }
    this.#stopping = end;
    this.#stopped.abort();
    this.#ledger.stopClock();
    this.#aborted = this.#collector.abort?.();
    this.#dispatcher.stop();
    this.#recovery.settle();
    this.#feed.wake();
    this.#input.close();
    const seq = this.#options.termseq ?? STOP_SEQ;
    this.#killAt = killTime(seq);
    this.#hurries = stopEach(this.#workers, seq);
  }

  /** SIGKILL now to every worker still there, and to what stopped ones left in their groups. */
  #hurry(): void {
    this.#killAt = Date.now();
    for (const hurry of this.#hurries) hurry();
  }

  #kick(): void {
    this.#dispatcher.pump();
    this.#feed.wake();
  }

  #sent(worker: Worker, block: Block): void {
    this.#ledger.sent(worker, block);
    this.#recovery.sent(worker, block);
  }

  /** Reading the input failed: the run fails, with the input named. */
  #readFailed(error: unknown): void {
    // Once stopping, reading ends by having its stream destroyed: no news.
    if (this.#stopping !== null || this.#recovery.haltingSoon) return;
    const { inputs, inputFd, input, inputFdName } = this.#options;
    const name = inputName(inputs, inputFd, input, inputFdName);
    // A reason of manifold's own carries its status (2 where the system refused a thread).
    const status = error instanceof ManifoldError ? error.exitCode : ExitCode.failure;
    this.#fail(readErrorLine(error, name, filePlaces(this.#options)), error, status);
  }

  /** `cause`: the error behind the failure, where there is one (the library's `cause`). */
  #fail(message: string, cause?: unknown, status: number = ExitCode.failure): void {
    this.#cause ??= cause;
    this.#verdict.failed();
    this.#verdict.say(message);
    this.stop({ kind: 'done', status });
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
}
