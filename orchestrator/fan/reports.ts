import { type Block, describeBlock } from '../workers/block.js';
import type { InputGiven, OutputFailure } from '../workers/relay.js';
import type { Worker, WorkerListener, WorkerOutcome } from '../workers/types.js';
import type { Collector } from './collect.js';
import type { FanEnd } from './end.js';
import { outputName, relayedOutputLine } from './failure-lines.js';
import { fileRanges } from './input-places.js';
import type { BlockLedger } from './ledger.js';
import type { FanOptions } from './options.js';
import type { Recovery } from './recovery.js';
import { spell } from './spelling.js';

// The fan engine's ear (engine.ts): what its workers report, each report passed to the parts
// that keep it (the ledger, the collector, recovery) and the queues woken.

/** What hearing the workers needs of the engine. */
export interface Hearing {
  options: FanOptions;
  ledger: BlockLedger;
  /** Made after the workers, which are given this listener: asked for when a report comes. */
  collector(): Collector;
  recovery(): Recovery;
  /** Whether the fan is stopping: output still arriving is then no longer wanted. */
  stopping(): boolean;
  /** Runs a collector step; a step that throws fails the run. */
  guard(action: () => void): void;
  fail(message: string): void;
  /** Sends what can go now, and lets reading go on. */
  kick(): void;
  stop(end: FanEnd): void;
}

/** Hears each worker's output, the end of its blocks, and its exit, for one fan. */
export class WorkerReports implements WorkerListener {
  readonly #fan: Hearing;

  constructor(fan: Hearing) {
    this.#fan = fan;
  }

  onOutput(worker: Worker, chunk: Buffer): void {
    this.#fan.guard(() => this.#fan.collector().output(worker, chunk));
  }

  onBlockOutput(worker: Worker, block: Block, chunk: Buffer): void {
    this.#fan.ledger.output(worker, block, chunk);
    this.#fan.guard(() => this.#fan.collector().blockOutput(worker, block, chunk));
  }

  onBlockDone(worker: Worker, block: Block): void {
    this.#fan.ledger.done(worker, block);
    this.#fan.guard(() => this.#fan.collector().blockDone(worker, block));
    // Never sent again: its memory goes back (a pipe's reads, to be read into again). A block
    // that can be read again from its file lets it go once taken, which may come after this
    // (the output of its last record read before its write's callback): release is once.
    block.release?.();
    if (!this.#fan.stopping()) this.#fan.recovery().blockDone();
    this.#fan.kick();
  }

  onTrailingOutput(
    worker: Worker,
    chunk: Buffer,
    after?: { instance: string; block?: Block },
  ): void {
    if (this.#fan.options.attribution === 'one-to-one') {
      const past = after?.block && describeBlock(after.block, fileRanges(this.#fan.options));
      this.#fan.fail(
        `${after?.instance ?? `worker ${worker.slot}`} wrote more records than it read${past ? `: its output goes on past ${past}, the last it was given` : ''}, which ${spell(this.#fan.options, 'oneToOne')} forbids`,
      );
      return;
    }
    this.#fan.guard(() => this.#fan.collector().trailing(worker, chunk));
  }

  onReady(): void {
    this.#fan.kick();
  }

  onExit(worker: Worker, end: WorkerOutcome, unfinished: Block[]): void {
    const timedOut = this.#fan.ledger.exited(worker, end, unfinished);
    if (end.kind === 'cannot-start') {
      if (!this.#fan.stopping()) this.#fan.recovery().cannotStart(worker, end, unfinished);
    } else if (end.kind === 'failed' && !this.#fan.stopping())
      this.#fan.recovery().workerFailed(worker, end, unfinished, timedOut);
    this.#fan.recovery().exited(worker);
    this.#fan.kick();
  }

  /** Its output not read (a full stdout, the ordered merge's window): --timeout's clock waits. */
  onPaused(worker: Worker, paused: boolean): void {
    this.#fan.ledger.paused(worker, paused);
  }

  /** What a worker was given of the input its kind's helper took (parts.ts `TakenInput`). */
  onInputGiven(worker: Worker, given: InputGiven): void {
    this.#fan.recovery().givenByHelper(worker, given);
  }

  /**
   * The output a worker's side writes itself (relayed: parts.ts) failed: as manifold's own
   * stdout, closed by its reader (the fan stops, as for `| head`) or not writable, or a record
   * over --max-record, with the message the ready merge gives.
   */
  onOutputFailed(worker: Worker, failure: OutputFailure, block?: Block): void {
    if (this.#fan.stopping()) return;
    const name = spell(this.#fan.options, 'maxRecord');
    const line = relayedOutputLine(
      worker,
      failure,
      this.#fan.options.maxRecord,
      name,
      block,
      fileRanges(this.#fan.options),
      outputName(this.#fan.options),
    );
    if (line === null) this.#fan.stop({ kind: 'closed' });
    else this.#fan.fail(line);
  }
}
