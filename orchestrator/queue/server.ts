import { hostname } from 'node:os';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { describeError } from '../../filters/index.js';
import { BlockClock } from '../fan/clock.js';
import { parseTermseq } from '../options/termseq.js';
import type { Block } from '../workers/block.js';
import { createWorkers } from '../workers/create.js';
import type { InputHeader } from '../workers/header.js';
import type { JobSpec } from '../workers/queue/job.js';
import { ABANDON_SEQ, STOP_SEQ, stopEach, type TermSeq } from '../workers/termseq.js';
import type { Worker, WorkerListener, WorkerOutcome } from '../workers/types.js';
import { StartBackoff } from './backoff.js';
import { Hand } from './hand.js';
import type { Held, TryEnd } from './held.js';
import { JobWatch } from './job-watch.js';
import { jobWorkers } from './job-workers.js';
import { answerBlock, failBlock, isStartFailure, type TryJob } from './outcome.js';
import { JOB_POLL_MS, pause, pullOne } from './pull.js';
import type { ServeOptions } from './serve.js';

// The engine of `manifold worker --queue` (serve.ts): slots that pull the job's blocks, each run
// through a local worker, its try's end told to the queue (outcome.ts).

/** One job served by this machine's workers, until it is finished or the worker is stopped. */
export class QueueServer implements WorkerListener {
  readonly #options: ServeOptions;
  readonly #hand: Hand;
  readonly #workers: Worker[];
  /** Slots waiting for a worker to be ready, a pull to end or a block to leave the hand. */
  #sleepers: (() => void)[] = [];
  readonly #host = hostname();
  /** The job as a try's end is told to the queue (outcome.ts). */
  readonly #job: TryJob;
  /** Whether the job is still there (job-watch.ts): once finished, every slot leaves. */
  readonly #watch: JobWatch;
  /** The job's --timeout, timing each slot's oldest block as the local fan does. */
  readonly #clock: BlockClock | null;
  /** A pull is under way: one at a time, so that nothing is pulled beside a block run alone. */
  #pulling = false;
  /** Blocks pulled, in hand, not yet given to a slot's worker: the first ready slot takes each. */
  readonly #ahead: Held[] = [];
  /** Whether this machine takes no new block for now: a process of its failed to start. */
  readonly #backoff: StartBackoff;
  /** The job's --termseq, if it has one: how processes past the timeout, or stopped, are ended. */
  readonly #termseq: TermSeq | null;
  /** Whether the workers were told to stop: their sequences run once. */
  #stopSent = false;

  /** Per-block workers' blocks done, answered once their instance's exit status is known. */
  readonly #exiting = new Map<Worker, { held: Held; answered: (answer: Promise<void>) => void }>();

  constructor(options: ServeOptions, spec: JobSpec, header: InputHeader) {
    this.#options = options;
    this.#watch = new JobWatch(options, spec, () => this.#wakeAll());
    this.#job = { options, spec, host: this.#host, finished: () => this.#watch.finished };
    this.#hand = new Hand(this.#job, () => this.#wakeAll());
    this.#backoff = new StartBackoff(options.startBackoffMs, options.log, () => this.#wakeAll());
    this.#termseq = spec.termseq ? parseTermseq(spec.termseq, (option) => option) : null;
    this.#clock =
      spec.timeoutMs == null ? null : new BlockClock(spec.timeoutMs, this.#termseq ?? ABANDON_SEQ);
    this.#workers = createWorkers(jobWorkers(options, spec, header), this);
  }

  async run(): Promise<void> {
    const { signal } = this.#options;
    const stop = () => this.#stop();
    signal.addEventListener('abort', stop, { once: true });
    const unlisten = this.#watch.listen();
    try {
      const consumer = await this.#watch.consumer();
      if (consumer === null) return;
      await Promise.all(this.#workers.map((worker) => this.#serveSlot(worker, consumer)));
    } finally {
      signal.removeEventListener('abort', stop);
      unlisten();
      await this.#stopAll();
      await this.#hand.returned();
    }
  }

  /**
   * Stops every slot's worker and waits for each to end: each is ended as the job's --termseq
   * says (by default SIGTERM, SIGKILL 2 s on), as the local fan ends its own (fan/engine.ts).
   * Not waited for, a command outlived its worker, and one still being started when the worker
   * stopped was never told.
   */
  async #stopAll(): Promise<void> {
    this.#stop();
    while (this.#workers.some((worker) => !worker.ended)) await this.#sleep();
  }

  /**
   * One slot: pulls a block while the one before it runs (a pull's round trip is not waited
   * for between blocks). Blocks pulled ahead are the worker's, not the pulling slot's: each
   * goes to the first slot ready for it, so a block is never kept waiting behind a busy slot
   * while another is idle; at most one ahead per slot in hand unpassed. Pulls are one at a time for the whole
   * worker; none while a block that runs alone is in hand.
   */
  async #serveSlot(worker: Worker, consumer: Consumer): Promise<void> {
    while (!this.#watch.finished) {
      const ready = this.#ahead.findIndex((held) => this.#mayGive(worker, held));
      if (ready >= 0) {
        const [next] = this.#ahead.splice(ready, 1) as [Held];
        this.#give(worker, next);
        // Nothing is pulled while it runs: a persistent worker is given its input's end now.
        if (next === this.#hand.alone && this.#options.attribution !== 'per-block') worker.end();
        continue;
      }
      if (
        this.#pulling ||
        this.#backoff.active ||
        this.#hand.alone !== null ||
        this.#ahead.length >= this.#workers.length
      ) {
        // A block to run alone waits for the blocks in flight, and nothing is pulled meanwhile:
        // no empty pull will end a persistent worker's input, so it is ended now.
        if (this.#hand.alone !== null && this.#ahead.includes(this.#hand.alone)) this.#endInputs();
        await this.#sleep();
        continue;
      }
      let message: JsMsg | null;
      const failedStarts = this.#backoff.failures;
      this.#pulling = true;
      try {
        message = await pullOne(consumer, { giveBack: (late) => this.#hand.giveBack(late) });
      } catch (error) {
        this.#pulled();
        // The job's end deletes its consumer under a pull: not news.
        await pause(JOB_POLL_MS, this.#options.signal);
        if (await this.#watch.gone()) return;
        this.#options.log(`cannot pull a block: ${describeError(error)}; trying again`);
        continue;
      }
      if (this.#watch.finished) {
        this.#pulled();
        if (message !== null) this.#hand.returnLate(message);
        return;
      }
      if (message === null) {
        this.#pulled();
        if (await this.#watch.gone()) return;
        // Nothing more for now: a persistent worker that holds its output back until its input
        // ends (awk, sed into a pipe) is given its end, and starts afresh for the next block.
        // Pulls being one at a time, every slot's worker is: the others would wait their turn.
        this.#endInputs();
        continue;
      }
      const held = this.#hand.receive(message);
      // Pulled as a process of this machine could not start: given back, for a healthy one.
      if (held !== null && failedStarts !== this.#backoff.failures) this.#giveBack(held.block);
      else if (held !== null) this.#ahead.push(held);
      this.#pulled();
    }
  }

  /**
   * A block run alone waits for every other block in hand to be done, and answered (hand.ts).
   * A per-block worker takes one block ahead of the one it runs; a persistent one takes blocks
   * while its input is not backed up (`Worker.ready`), as in a local fan, not by blocks in
   * flight: a filter that holds its output back until more input comes (tr, awk, sed into a
   * pipe) would otherwise wait for a block it is never given.
   */
  #mayGive(worker: Worker, held: Held): boolean {
    if (!worker.ready) return false;
    if (held === this.#hand.alone)
      return this.#hand.size === 1 && this.#hand.answered && worker.inFlight.length === 0;
    return this.#options.attribution !== 'per-block' || worker.inFlight.length < 2;
  }

  /** Persistent workers with blocks in flight are given their input's end (they restart after). */
  #endInputs(): void {
    if (this.#options.attribution === 'per-block') return;
    for (const each of this.#workers) if (each.inFlight.length > 0) each.end();
  }

  #pulled(): void {
    this.#pulling = false;
    this.#wakeAll();
  }

  #sleep(): Promise<void> {
    return new Promise<void>((resolve) => this.#sleepers.push(resolve));
  }

  #give(worker: Worker, held: Held): void {
    if (this.#hand.get(held.block) !== held) return;
    held.started = Date.now();
    held.slot = worker.slot;
    worker.send(held.block);
    this.#clock?.sent(worker, held.block);
  }

  onOutput(): void {}

  onBlockOutput(_worker: Worker, block: Block, chunk: Buffer): void {
    this.#hand.get(block)?.pieces.push(chunk);
  }

  onBlockDone(worker: Worker, block: Block): void {
    this.#clock?.done(worker, block);
    const held = this.#hand.get(block);
    if (held === undefined) return;
    // A per-block worker's exit status (one --ok-status accepted) comes just after: onExit.
    if (this.#options.attribution === 'per-block') {
      let answered!: (answer: Promise<void>) => void;
      this.#letGo(held, new Promise<void>((resolve) => (answered = resolve)));
      this.#exiting.set(worker, { held, answered });
    } else this.#letGo(held, this.#answer(held, { exitCode: 0, signal: null }));
  }

  /** Publishes a block's output with the try that made it, and acknowledges the block. */
  #answer(held: Held, exit: TryEnd): Promise<void> {
    return answerBlock(this.#job, held, exit);
  }

  onTrailingOutput(worker: Worker, chunk: Buffer): void {
    this.#options.log(
      `worker ${worker.slot} wrote ${chunk.length} bytes after its last block: the queue ties output to blocks, so they are dropped`,
    );
  }

  onReady(): void {
    this.#wakeAll();
  }

  onExit(worker: Worker, end: WorkerOutcome, unfinished: Block[]): void {
    this.#clock?.exited(worker);
    const done = this.#exiting.get(worker);
    this.#exiting.delete(worker);
    if (done !== undefined)
      done.answered(this.#answer(done.held, end.details ?? { exitCode: 0, signal: null }));
    // A process that could not start here: its block goes back for another machine, this one
    // backing off; it reappears on the queue once this one's pull under way has ended.
    const backOff = isStartFailure(end) && !this.#watch.finished;
    const delayMs = backOff ? this.#backoff.returnDelayMs : 0;
    // The oldest unfinished block is the one the process was on: it alone is charged, as by
    // the local fan (fan/recovery.ts). Those behind it (a persistent worker's) only waited
    // their turn: they go back untried. Failed with it, each would use up a try, and on its last
    // be lost under --halt never, where the local fan runs it again.
    const [head, ...behind] = unfinished;
    if (head !== undefined) this.#fail(head, end, delayMs);
    for (const block of behind) this.#giveBack(block);
    if (backOff) {
      // Nor is the block pulled ahead started here, to fail as well: a healthy machine takes it.
      for (const held of this.#ahead.splice(0)) this.#giveBack(held.block);
      this.#backoff.start(worker.slot);
    }
    if (worker.ended && !this.#watch.finished) worker.restart();
    this.#wakeAll();
  }

  /**
   * A block was not done: back to the queue to be tried again (`delayMs` later), or failed on
   * its last try.
   */
  #fail(block: Block, end: WorkerOutcome, delayMs: number): void {
    const held = this.#hand.get(block);
    if (held === undefined) return;
    this.#letGo(held, failBlock(this.#job, held, end, delayMs));
  }

  /**
   * A block not run here: back to the queue untried, at once, at no cost of a try (it waited
   * behind a failed one, or was pulled by a machine whose process could not start): for a
   * healthy machine, or this one's next process, to take it.
   */
  #giveBack(block: Block): void {
    const held = this.#hand.get(block);
    if (held === undefined) return;
    clearInterval(held.working);
    this.#letGo(held, this.#hand.giveBack(held.message));
  }

  /**
   * A block leaves the hand, `answer` telling the server: the slots look again (one waited for
   * it to run alone, or pull), and once more when its answer is done (hand.ts).
   */
  #letGo(held: Held, answer: Promise<void>): void {
    this.#hand.letGo(held, answer);
    this.#wakeAll();
  }

  #wakeAll(): void {
    const sleepers = this.#sleepers;
    this.#sleepers = [];
    for (const wake of sleepers) wake();
  }

  #stop(): void {
    this.#backoff.stop();
    // Untried while the job is there: stopped, this worker costs its blocks nothing.
    this.#hand.release(!this.#watch.finished);
    this.#watch.finish();
    this.#ahead.length = 0;
    this.#clock?.stopAll();
    if (!this.#stopSent) stopEach(this.#workers, this.#termseq ?? STOP_SEQ);
    this.#stopSent = true;
    this.#wakeAll();
  }
}
