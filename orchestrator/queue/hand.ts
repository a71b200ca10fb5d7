import type { JsMsg } from '@nats-io/jetstream';
import { describeError } from '../../filters/index.js';
import type { Block } from '../workers/block.js';
import { blockOf, type Held } from './held.js';
import { failLostBlock, lostTooOften, runsAlone } from './lost.js';
import type { TryJob } from './outcome.js';
import { deliveriesOf, giveBackUntried } from './untried.js';

// The blocks a queue worker holds (server.ts): each pulled block checked, and kept ours
// (in-progress acknowledgements) from its pull until it is let go; the one that runs alone; the
// answers under way.

/** The blocks in hand, by block. */
export class Hand {
  readonly #job: TryJob;
  readonly #held = new Map<Block, Held>();
  /**
   * The block that runs alone (lost.ts): nothing is pulled while it is in hand, nor until the
   * server has its answer.
   */
  #alone: Held | null = null;
  /**
   * Answers under way: a block's answer is the server's only once it has confirmed it. A worker
   * lost before that (killed by the next block) loses the block too: it is delivered again, and
   * counted as lost with its worker. So a block that runs alone waits for them, and nothing is
   * pulled until its own is done; else the blocks beside a poison block were lost with it past
   * their allowance, and failed the run (seen under load, test/queue/queue-lost.test.ts).
   */
  #answering = 0;
  /** Called once an answer is done: a slot may have waited for it. */
  readonly #onAnswered: () => void;
  /** Blocks given back untried (`giveBack`), awaited before the worker leaves. */
  #returned: Promise<unknown> = Promise.resolve();
  /** The worker stopped with its job still there: blocks go back untried. */
  #untried = false;

  constructor(job: TryJob, onAnswered: () => void) {
    this.#job = job;
    this.#onAnswered = onAnswered;
  }

  get alone(): Held | null {
    return this.#alone;
  }

  get size(): number {
    return this.#held.size;
  }

  /** Whether every block let go has its answer confirmed by the server. */
  get answered(): boolean {
    return this.#answering === 0;
  }

  get(block: Block): Held | undefined {
    return this.#held.get(block);
  }

  /** A block pulled: checked, and kept ours (in-progress acknowledgements) until it is done. */
  receive(message: JsMsg): Held | null {
    const { options, spec, host } = this.#job;
    let block: Block;
    let input: number;
    try {
      ({ block, input } = blockOf(message, spec.run));
    } catch (error) {
      options.log(`a message of the queue is no block (${describeError(error)}): dropped`);
      message.term();
      return null;
    }
    const delivered = deliveriesOf(message);
    if (lostTooOften(delivered, spec.tries)) {
      const { conn, names } = options;
      const lost = { seq: block.seq, host, input };
      failLostBlock(conn, names, message, lost, () => this.#job.finished());
      return null;
    }
    const working = setInterval(() => message.working(), Math.max(100, spec.ackWaitMs / 3));
    const held = { message, block, input, pieces: [], working, started: 0, slot: 0 };
    this.#held.set(block, held);
    if (runsAlone(delivered, spec.tries)) this.#alone = held;
    return held;
  }

  /**
   * A block leaves the hand, `answer` telling the server how it went. A block that ran alone
   * stays the one that does until its answer is done.
   */
  letGo(held: Held, answer: Promise<void>): void {
    this.#held.delete(held.block);
    this.#answering++;
    void answer.then(() => {
      this.#answering--;
      if (held === this.#alone) this.#alone = null;
      this.#onAnswered();
    });
  }

  /**
   * Every block in hand goes back to the queue at once: untried (untried.ts) when the worker
   * stopped with its job still there (a scale-down costs its blocks nothing), and so does any
   * block pulled after that (`returnLate`).
   */
  release(untried: boolean): void {
    this.#untried ||= untried;
    for (const held of this.#held.values()) {
      clearInterval(held.working);
      this.returnLate(held.message);
    }
    this.#held.clear();
    this.#alone = null;
  }

  /** A block pulled once the worker was stopped: back to the queue, as those in hand went. */
  returnLate(message: JsMsg): void {
    if (this.#untried) this.giveBack(message);
    else message.nak();
  }

  /**
   * A block this worker does not run goes back to the queue untried (untried.ts), at once; the
   * worker leaves once the server has it (`returned`).
   */
  giveBack(message: JsMsg): Promise<void> {
    const { conn, names } = this.#job.options;
    const given = giveBackUntried(conn, names, message);
    this.#returned = Promise.all([this.#returned, given]);
    return given;
  }

  /** Resolves once every block given back untried is the server's again. */
  returned(): Promise<unknown> {
    return this.#returned;
  }
}
