import { describeError, ExitCode } from '../../filters/index.js';
import { plural } from '../../filters/size.js';
import type { Block, RangeNamer } from '../workers/block.js';
import type { InputGiven, InputPiece } from '../workers/relay.js';
import type { Worker, WorkerOutcome } from '../workers/types.js';
import type { Collector } from './collect.js';
import type { Dispatcher } from './dispatch.js';
import { describeFailure, type Given, noteGiven } from './failure.js';
import { HaltCounter } from './halting.js';
import { fileRanges } from './input-places.js';
import type { BlockLedger } from './ledger.js';
import type { FanOptions, HaltMode, Log } from './options.js';
import { spell } from './spelling.js';
import type { Verdict } from './verdict.js';

// The fan engine's decisions when workers fail (engine.ts): the block a worker was on tried
// again or lost, --halt acting, workers started again or resting until a block comes, and when
// every worker has ended for good.

/** What recovery needs of the engine: the fan's parts, and what the engine does for it. */
export interface RecoveryParts {
  options: FanOptions;
  log: Log;
  workers: Worker[];
  collector: Collector;
  dispatcher: Dispatcher;
  ledger: BlockLedger;
  verdict: Verdict;
  /** Whether the fan is stopping. */
  stopping(): boolean;
  /** Stops every worker and what it started; the run then ends with `status`. */
  stop(status: number): void;
  /** Reads no more input. */
  closeInput(): void;
  /** Wakes the reading loop when it waits for room in the queues. */
  wake(): void;
  /** Runs a collector step; once stopping, output still arriving is no longer wanted. */
  guard(action: () => void): void;
  /** Says a failure that stops the run. */
  fail(message: string): void;
}

/** A fan's failed workers, their blocks, and --halt, as the engine decides them. */
export class Recovery {
  readonly #fan: RecoveryParts;
  readonly #halts: HaltCounter;
  /** Names blocks of several input files in them, as a message is made. */
  readonly #places: RangeNamer | undefined;
  readonly #given = new Map<Worker, Given>();
  /** Failed workers that had nothing to do: started again when a block comes. */
  readonly #resting = new Set<Worker>();
  /** --halt soon acted: no block is started any more; the running ones finish. */
  #haltingSoon = false;
  #allEnded!: () => void;
  /** Resolves once every worker has ended for good. */
  readonly ended = new Promise<void>((resolve) => {
    this.#allEnded = resolve;
  });

  constructor(fan: RecoveryParts) {
    this.#fan = fan;
    this.#halts = new HaltCounter(fan.options.halt, fan.options.haltOn);
    this.#places = fileRanges(fan.options);
  }

  get haltingSoon(): boolean {
    return this.#haltingSoon;
  }

  /** A block given to a worker: noted, for messages, when its output is not attributed. */
  sent(worker: Worker, block: Block): void {
    if (this.#fan.options.attribution === 'none') noteGiven(this.#given, worker, block);
  }

  /**
   * What an unattributed worker was given by its kind's helper (the input it took): its pieces
   * are its blocks, for messages.
   */
  givenByHelper(worker: Worker, given: InputGiven): void {
    const block = ({ seq, offset, bytes }: InputPiece): Block => ({
      seq,
      offset,
      bytes,
      parts: [],
      firstRecord: 0,
      records: -1,
      failures: 0,
    });
    this.#given.set(worker, {
      first: block(given.first),
      last: block(given.last),
      count: given.pieces,
    });
  }

  /** A block is done: --halt counts it (`success=N`, and the share of `fail=N%`). */
  blockDone(): void {
    const halt = this.#halts.done();
    if (halt !== null) this.#halt(halt, this.#halts.why);
  }

  /** A worker ended: the collector hears it unless it rests; the run, once every worker has. */
  exited(worker: Worker): void {
    const { collector, workers } = this.#fan;
    if (worker.ended && !this.#resting.has(worker))
      this.#fan.guard(() => collector.workerEnded(worker));
    if (this.#resting.size > 0 || !workers.every((w) => w.ended)) return;
    // Every worker has ended for good before the input did, by its own choice (`head -1`): the
    // rest goes unread, as in a shell pipe, whose writer meets EPIPE; read on, `yes` never ended.
    if (!this.#fan.dispatcher.inputEnded) {
      this.#fan.closeInput();
      this.#fan.wake();
    }
    this.#allEnded();
  }

  /** A worker failed with blocks unfinished: the one it was on goes again, or is lost. */
  workerFailed(
    worker: Worker,
    end: WorkerOutcome & { kind: 'failed' },
    unfinished: Block[],
    timedOut: boolean,
  ): void {
    const { options, collector, dispatcher, ledger, verdict } = this.#fan;
    const { retries, attribution } = options;
    if (end.misfit) verdict.misfit();
    // The oldest unfinished block is the one the worker was on: it alone is charged. Those
    // behind it only waited their turn and go again as they are, so each failure charges one
    // block, and a block fails at most 1 + retries times.
    const head = attribution === 'none' ? undefined : unfinished[0];
    collector.workerFailed(worker);
    const given = attribution === 'none' ? (this.#given.get(worker) ?? null) : unfinished;
    // A filter with a flush held what the blocks it finished gave it: a fresh one given only the
    // unfinished would flush the rest alone, those blocks' share lost, and the run say 0.
    const retryable = end.retryable && (end.heldFor ?? 0) === 0;
    if (head !== undefined && retryable && head.failures < retries && !this.#haltingSoon) {
      for (const block of unfinished) collector.blockFailed(worker, block);
      head.failures++;
      // Failed on a host: tried again on another where one can take it, as parallel --retries.
      const host = end.details?.host;
      if (host) {
        head.failedOn ??= new Set();
        head.failedOn.add(host);
        this.#wakeElsewhere(worker, head.failedOn);
      }
      // Its blocks named in several input files only where the line is said: naming them reads
      // the files again, not to be done for a line nobody reads.
      const places = timedOut || options.verbose ? this.#places : undefined;
      const line = `${describeFailure(end, given, places)}; trying again (${head.failures} of ${retries})`;
      // A worker manifold killed for taking too long is news even when its block goes again.
      if (timedOut) verdict.say(line);
      else this.#fan.log(line);
      this.#restart(worker, unfinished);
      return;
    }
    // Not found where it was tried again (on another host) is no failure of the run's.
    if (end.notFound) verdict.notFound();
    verdict.failed(end.details?.exitCode ?? undefined);
    // Under --halt soon every block the worker had is lost: none is started again.
    // A command that cannot serve the fan fails on every worker alike: the run stops now.
    const halt = end.misfit ? 'now' : (this.#halts.failed() ?? (this.#haltingSoon ? 'soon' : null));
    // The failure is the block it was on's alone: its row and its message. Those queued behind
    // it that a halt now leaves are lost unstarted, as blocks on other workers a halt stops:
    // no row (as GNU parallel's log has none for the jobs a halt kills).
    const charged = unfinished.slice(0, 1);
    const lost = halt === null ? charged : unfinished;
    // Those that go again forget what they wrote; the lost are the collector's to end.
    for (const block of unfinished.slice(lost.length)) collector.blockFailed(worker, block);
    for (const block of lost) {
      collector.blockLost(worker, block, halt !== null);
      block.release?.();
    }
    for (const block of charged) ledger.lost(worker, block, end);
    // A block tried again says so as its tries run out: the tries before are said only under
    // --verbose (a timeout's always).
    const tries =
      head !== undefined && head.failures > 0 ? `; tried ${head.failures + 1} times` : '';
    const held =
      retries > 0 && end.heldFor !== undefined && head !== undefined && head.failures < retries
        ? `; not tried again: its flush was to write what the ${plural(end.heldFor, 'block')} it had done gave it, which a fresh worker cannot`
        : '';
    verdict.say(
      `${describeFailure(end, attribution === 'none' ? given : charged, this.#places)}${tries}${held}`,
    );
    if (halt !== null) {
      this.#halt(halt, 'fail');
    } else if (unfinished.length > 1 || dispatcher.hasWorkFor(worker)) {
      // Only a worker with something to do is started again: one that fails with nothing to
      // read (at the end of input, or waiting for it) would fail and be restarted for ever.
      this.#restart(worker, unfinished.slice(1));
    } else if (worker.ended && !dispatcher.inputEnded) {
      this.#resting.add(worker);
    }
  }

  /**
   * --halt acts: `now` stops every worker (the run's status says whether a block failed);
   * `soon` starts no more blocks, reads no more input, and lets the running blocks finish.
   */
  #halt(halt: HaltMode, why: 'fail' | 'success'): void {
    const { verdict } = this.#fan;
    if (halt === 'now') {
      this.#fan.stop(verdict.status());
      return;
    }
    if (this.#haltingSoon) return;
    this.#haltingSoon = true;
    const line = `${spell(this.#fan.options, 'halt', 'soon')}: ${why === 'fail' ? 'a block failed' : 'enough blocks are done'}; starting no more blocks, letting the running ones finish`;
    if (why === 'fail') verdict.say(line);
    else this.#fan.log(line);
    this.#fan.closeInput();
    this.#fan.dispatcher.halt();
    this.settle();
    this.#fan.wake();
  }

  /** A block has come: the failed workers that had nothing to do start again for it. */
  wakeResting(): void {
    for (const worker of this.#resting) {
      this.#resting.delete(worker);
      if (!this.#fan.stopping()) this.#restart(worker, []);
    }
  }

  /** No block will come any more: the workers that rest have ended for good. */
  settle(): void {
    const { collector, workers } = this.#fan;
    const resting = [...this.#resting];
    this.#resting.clear();
    for (const worker of resting) this.#fan.guard(() => collector.workerEnded(worker));
    if (workers.every((w) => w.ended)) this.#allEnded();
  }

  /**
   * A worker could not be started (out of descriptors or processes, here or on its host): the
   * run cannot go on. The block it was given is lost there, in --joblog's row too.
   */
  cannotStart(
    worker: Worker,
    end: WorkerOutcome & { kind: 'cannot-start' },
    unfinished: Block[],
  ): void {
    const { verdict, ledger } = this.#fan;
    verdict.failed();
    const head = unfinished[0];
    if (head !== undefined)
      ledger.lost(worker, head, { ...end, reason: `cannot start: ${end.reason}` });
    const host = end.details?.host ? ` on host ${end.details.host}` : '';
    verdict.say(`cannot start worker ${worker.slot}${host}: ${end.reason}`);
    this.#fan.stop(ExitCode.usage);
  }

  /**
   * A block failed on the hosts `failedOn`: when no worker on another host still runs (those
   * there had ended, the input over), one is started again to take it (the dispatcher gives it
   * there: `Dispatcher.#elsewhere`).
   */
  #wakeElsewhere(failed: Worker, failedOn: ReadonlySet<string>): void {
    const { options, workers, dispatcher } = this.#fan;
    const remote = options.remote;
    if (remote === undefined) return;
    const elsewhere = workers.filter((w) => w !== failed && !failedOn.has(remote.hostOf(w.slot)));
    if (elsewhere.length === 0 || elsewhere.some((w) => !w.ended)) return;
    const woken = elsewhere[0]!;
    woken.restart();
    dispatcher.reopen(woken);
  }

  #restart(worker: Worker, blocks: Block[]): void {
    const { dispatcher } = this.#fan;
    if (worker.ended) {
      worker.restart();
      dispatcher.reopen(worker);
    }
    if (blocks.length === 0) return;
    try {
      // Blocks of a file gave their memory back once sent: their bytes are read again.
      for (const block of blocks) block.reread?.();
    } catch (error) {
      this.#fan.fail(describeError(error));
      return;
    }
    dispatcher.retry(blocks, worker);
  }
}
