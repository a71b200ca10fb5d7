import { hostname } from 'node:os';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { describeError, parseFraming } from '../../filters/index.js';
import { PROTOCOL_NAME } from '../../filters/protocol.js';
import { BlockClock } from '../fan/clock.js';
import type { Block } from '../workers/block.js';
import type { CommandSpec } from '../workers/command.js';
import { createWorkers } from '../workers/create.js';
import type { InputHeader } from '../workers/header.js';
import { askQueue, type QueueConnection } from '../workers/queue/connect.js';
import { type JobSpec, readSpec } from '../workers/queue/job.js';
import { type JobNames, WORKERS_CONSUMER } from '../workers/queue/names.js';
import type { WorkerStderr } from '../workers/transport.js';
import type { Attribution, Worker, WorkerListener, WorkerOutcome } from '../workers/types.js';
import { publishFailure, publishOutput } from './answer.js';
import { waitForHeader } from './header.js';
import { blockOf, type Held, type TryEnd, tryOf } from './held.js';
import { failLostBlock, lostTooOften, runsAlone } from './lost.js';
import { JOB_POLL_MS, pause, pullOne, waitForJob } from './pull.js';
import { fetchTables } from './tables.js';

/** What `manifold worker --queue` runs: its own command, never one from the queue. */
export interface ServeOptions {
  conn: QueueConnection;
  names: JobNames;
  workers: number;
  command: CommandSpec;
  attribution: Exclude<Attribution, 'none'>;
  okStatus: readonly number[];
  stderr?: WorkerStderr;
  tag: boolean;
  log: (line: string) => void;
  /** Aborted to stop: the blocks in hand go back to the queue at once. */
  signal: AbortSignal;
}

/**
 * Serves a job: waits for it to exist, then pulls its blocks, runs each through a local worker
 * (the attribution and process transport the local fan uses), publishes each block's output and
 * acknowledges the block. Returns once the job is finished (its coordinator removed it), or at
 * `signal`.
 */
export async function serveQueue(options: ServeOptions): Promise<void> {
  const spec = await waitForJob(options);
  if (spec === null) return;
  const { workers } = options;
  options.log(
    `job "${options.names.job}" found: serving it with ${workers} worker${workers === 1 ? '' : 's'}`,
  );
  // The job's tables, fetched into this machine's cache before its first block.
  const tables = await fetchTables(options.conn, spec, options.names, options.log, options.signal);
  if (tables === null || options.signal.aborted) return;
  const command = { ...options.command, env: { ...options.command.env, ...tables } };
  const header = await waitForHeader(options, spec);
  if (header === null) return;
  await new QueueServer({ ...options, command }, spec, header).run();
}

class QueueServer implements WorkerListener {
  readonly #options: ServeOptions;
  readonly #spec: JobSpec;
  readonly #held = new Map<Block, Held>();
  readonly #workers: Worker[];
  /** Slots waiting for a worker to be ready, a pull to end or a block to leave the hand. */
  #sleepers: (() => void)[] = [];
  readonly #host = hostname();
  #finished = false;
  /** The job's --timeout, timing each slot's oldest block as the local fan does. */
  readonly #clock: BlockClock | null;
  /** A pull is under way: one at a time, so that nothing is pulled beside a block run alone. */
  #pulling = false;
  /** The block in hand that runs alone (lost.ts): nothing is pulled while it is. */
  #alone: Held | null = null;
  /** Blocks pulled, in hand, not yet given to a slot's worker: the first ready slot takes each. */
  readonly #ahead: Held[] = [];

  /** Per-block workers' blocks done, answered once their instance's exit status is known. */
  readonly #exiting = new Map<Worker, Held>();

  constructor(options: ServeOptions, spec: JobSpec, header: InputHeader) {
    this.#options = options;
    this.#spec = spec;
    this.#clock = spec.timeoutMs == null ? null : new BlockClock(spec.timeoutMs);
    const framing = parseFraming(spec.join, '--join');
    const { command, attribution } = options;
    // An SDK filter under the protocol reads blocks in the job's framing, as in a local fan.
    const protocolArgs = ['--protocol', PROTOCOL_NAME, '--split', spec.split];
    if (spec.join !== spec.split) protocolArgs.push('--join', spec.join);
    const argv = attribution === 'protocol' ? [...command.argv, ...protocolArgs] : command.argv;
    this.#workers = createWorkers(
      {
        kind: 'process',
        workers: options.workers,
        command: { ...command, argv },
        tag: options.tag,
        attribution,
        framing,
        maxBacklog: spec.block,
        okStatus: options.okStatus,
        header,
        ...(options.stderr === undefined ? {} : { stderr: options.stderr }),
      },
      this,
    );
  }

  async run(): Promise<void> {
    const { signal } = this.#options;
    const stop = () => this.#stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      const consumer = await this.#consumer();
      if (consumer === null) return;
      await Promise.all(this.#workers.map((worker) => this.#serveSlot(worker, consumer)));
    } finally {
      signal.removeEventListener('abort', stop);
      this.#stop();
    }
  }

  /**
   * The job's consumer of blocks; null when the job has finished since this worker found it (its
   * coordinator removed its streams while the worker fetched its tables, say): nothing is left
   * to serve, and that is no failure.
   */
  async #consumer(): Promise<Consumer | null> {
    const { conn, names } = this.#options;
    try {
      return await askQueue(conn, `the workers' consumer of job "${names.job}"`, () =>
        conn.js.consumers.get(names.blocksStream, WORKERS_CONSUMER),
      );
    } catch (error) {
      if (await this.#jobGone()) return null;
      throw error;
    }
  }

  /**
   * One slot: pulls a block while the one before it runs (a pull's round trip is not waited
   * for between blocks). Blocks pulled ahead are the worker's, not the pulling slot's: each
   * goes to the first slot ready for it, so a block is never kept waiting behind a busy slot
   * while another is idle; at most one ahead per slot in hand unpassed. Pulls are one at a time for the whole
   * worker; none while a block that runs alone is in hand.
   */
  async #serveSlot(worker: Worker, consumer: Consumer): Promise<void> {
    while (!this.#finished) {
      const ready = this.#ahead.findIndex((held) => this.#mayGive(worker, held));
      if (ready >= 0) {
        const [next] = this.#ahead.splice(ready, 1) as [Held];
        this.#give(worker, next);
        // Nothing is pulled while it runs: a persistent worker is given its input's end now.
        if (next === this.#alone && this.#options.attribution !== 'per-block') worker.end();
        continue;
      }
      if (this.#pulling || this.#alone !== null || this.#ahead.length >= this.#workers.length) {
        await this.#sleep();
        continue;
      }
      let message: JsMsg | null;
      this.#pulling = true;
      try {
        message = await pullOne(consumer);
      } catch (error) {
        this.#pulled();
        // The job's end deletes its consumer under a pull: not news.
        await pause(JOB_POLL_MS, this.#options.signal);
        if (await this.#jobGone()) return;
        this.#options.log(`cannot pull a block: ${describeError(error)}; trying again`);
        continue;
      }
      if (this.#finished) {
        this.#pulled();
        message?.nak();
        return;
      }
      if (message === null) {
        this.#pulled();
        if (await this.#jobGone()) return;
        // Nothing more for now: a persistent worker that holds its output back until its input
        // ends (awk, sed into a pipe) is given its end, and starts afresh for the next block.
        // Pulls being one at a time, every slot's worker is: the others would wait their turn.
        if (this.#options.attribution !== 'per-block')
          for (const each of this.#workers) if (each.inFlight.length > 0) each.end();
        continue;
      }
      const held = this.#receive(message);
      if (held !== null) this.#ahead.push(held);
      this.#pulled();
    }
  }

  /**
   * A block run alone waits for every other block in hand to be done. A per-block worker takes
   * one block ahead of the one it runs; a persistent one takes blocks while its input is not
   * backed up (`Worker.ready`), as in a local fan, not by blocks in flight: a filter that holds
   * its output back until more input comes (tr, awk, sed into a pipe) would otherwise wait for
   * a block it is never given.
   */
  #mayGive(worker: Worker, held: Held): boolean {
    if (!worker.ready) return false;
    if (held === this.#alone) return this.#held.size === 1 && worker.inFlight.length === 0;
    return this.#options.attribution !== 'per-block' || worker.inFlight.length < 2;
  }

  #pulled(): void {
    this.#pulling = false;
    this.#wakeAll();
  }

  #sleep(): Promise<void> {
    return new Promise<void>((resolve) => this.#sleepers.push(resolve));
  }

  async #jobGone(): Promise<boolean> {
    if (this.#finished) return true;
    const spec = await readSpec(this.#options.conn, this.#options.names).catch(() => this.#spec);
    if (spec === null || spec.run !== this.#spec.run) {
      this.#finished = true;
      // Every slot leaves now, also one that waits for its worker: the job needs nothing more.
      this.#wakeAll();
    }
    return this.#finished;
  }

  /** A block pulled: checked, and kept ours (in-progress acknowledgements) until it is done. */
  #receive(message: JsMsg): Held | null {
    let block: Block;
    try {
      block = blockOf(message, this.#spec.run);
    } catch (error) {
      this.#options.log(`a message of the queue is no block (${describeError(error)}): dropped`);
      message.term();
      return null;
    }
    const delivered = message.info.deliveryCount;
    if (lostTooOften(delivered, this.#spec.tries)) {
      const { conn, names } = this.#options;
      const lost = { seq: block.seq, host: this.#host };
      failLostBlock(conn, names, message, lost, () => this.#finished);
      return null;
    }
    const working = setInterval(() => message.working(), Math.max(100, this.#spec.ackWaitMs / 3));
    const held = { message, block, pieces: [], working, started: 0, slot: 0 };
    this.#held.set(block, held);
    if (runsAlone(delivered, this.#spec.tries)) this.#alone = held;
    return held;
  }

  #give(worker: Worker, held: Held): void {
    if (this.#held.get(held.block) !== held) return;
    held.started = Date.now();
    held.slot = worker.slot;
    worker.send(held.block);
    this.#clock?.sent(worker, held.block);
  }

  onOutput(): void {}

  onBlockOutput(_worker: Worker, block: Block, chunk: Buffer): void {
    this.#held.get(block)?.pieces.push(chunk);
  }

  onBlockDone(worker: Worker, block: Block): void {
    this.#clock?.done(worker, block);
    const held = this.#held.get(block);
    if (held === undefined) return;
    this.#letGo(held);
    // A per-block worker's exit status (one --ok-status accepted) comes just after: onExit.
    if (this.#options.attribution === 'per-block') this.#exiting.set(worker, held);
    else this.#answer(held, { exitCode: 0, signal: null });
  }

  /** Publishes a block's output with the try that made it, and acknowledges the block. */
  #answer(held: Held, exit: TryEnd): void {
    const { block } = held;
    const { conn, names } = this.#options;
    const tried = tryOf(held, this.#host, exit);
    publishOutput(conn, names, block.seq, held.pieces, tried, () => this.#finished)
      .then((stored) => {
        clearInterval(held.working);
        if (stored) held.message.ack();
      })
      .catch((error: unknown) => {
        clearInterval(held.working);
        this.#options.log(
          `cannot publish the output of block ${block.seq + 1}: ${describeError(error)}`,
        );
        held.message.nak();
      });
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
    const details = end.kind === 'cannot-start' ? undefined : end.details;
    if (done !== undefined) this.#answer(done, details ?? { exitCode: 0, signal: null });
    for (const block of unfinished) this.#fail(block, end);
    if (worker.ended && !this.#finished) worker.restart();
    this.#wakeAll();
  }

  /** A block was not done: back to the queue to be tried again, or failed on its last try. */
  #fail(block: Block, end: WorkerOutcome): void {
    const held = this.#held.get(block);
    if (held === undefined) return;
    this.#letGo(held);
    clearInterval(held.working);
    const { message } = held;
    const tries = message.info.deliveryCount;
    if (end.kind !== 'failed' || this.#finished || tries < this.#spec.tries) {
      message.nak();
      return;
    }
    const { conn, names } = this.#options;
    // Deliveries lost with a worker, or held past the ack wait, count here but were no try: a
    // failure at or past the last delivery allowed is the block's last try.
    const failure = {
      worker: `queue worker on ${this.#host}: ${end.worker}`,
      reason: `${end.reason} (try ${Math.min(tries, this.#spec.tries)} of ${this.#spec.tries})`,
      tried: tryOf(held, this.#host, end.details ?? { exitCode: null, signal: null }),
    };
    publishFailure(conn, names, block.seq, failure, () => this.#finished)
      .then(() => message.term())
      .catch(() => message.nak());
  }

  /** A block leaves the hand: the slots look again (one waited for it to run alone, or pull). */
  #letGo(held: Held): void {
    this.#held.delete(held.block);
    if (held === this.#alone) this.#alone = null;
    this.#wakeAll();
  }

  #wakeAll(): void {
    const sleepers = this.#sleepers;
    this.#sleepers = [];
    for (const wake of sleepers) wake();
  }

  #stop(): void {
    this.#finished = true;
    for (const held of this.#held.values()) {
      clearInterval(held.working);
      held.message.nak();
    }
    this.#held.clear();
    this.#ahead.length = 0;
    this.#alone = null;
    this.#clock?.stopAll();
    for (const worker of this.#workers) worker.stop('graceful');
    this.#wakeAll();
  }
}
