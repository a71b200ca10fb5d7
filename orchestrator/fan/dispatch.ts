import { type Block, shareAmong } from '../workers/block.js';
import { BlockQueue } from '../workers/block-queue.js';
import type { Worker } from '../workers/types.js';
import { RetryElsewhere } from './elsewhere.js';
import type { FanOptions } from './options.js';
import { HashPartitioner } from './partition.js';
import { separatorRemover } from './separators.js';
import { spell } from './spelling.js';

/**
 * Decides which worker gets which block, and when:
 * - `ready`: one shared queue; the next block goes to the ready worker with the least backlog;
 * - `round-robin`: block i to worker i mod N;
 * - `hash`: each block is cut by the hash of each record's key, one part per worker;
 * - `broadcast`: every block to every worker.
 * A block waits in its queue until its worker is ready, until `mayStart` allows it (the
 * ordered merge's window), and until --delay has passed since the block sent before it.
 */
export class Dispatcher {
  readonly #options: FanOptions;
  readonly #workers: Worker[];
  readonly #mayStart: (block: Block) => boolean;
  readonly #onSend: (worker: Worker, block: Block) => void;
  /** A worker is given no more input. */
  readonly #onEnd: (worker: Worker) => void;
  readonly #shared = new BlockQueue();
  readonly #own: BlockQueue[];
  #added = 0;
  #seq = 0;
  #last = -1;
  #inputEnded = false;
  #stopped = false;
  #pumping = false;
  #pumpAgain = false;
  /** --delay: when (Date.now()) the next block may be sent, and the timer that pumps then. */
  #nextStart = 0;
  #delayTimer: NodeJS.Timeout | null = null;
  #endedWorkers = new Set<Worker>();
  /** A block that failed on a host waits a while for a worker on another. */
  readonly #elsewhere: RetryElsewhere;
  readonly #partitioner: HashPartitioner | null;
  /** --rrs: a block as its worker is given it, after its records were counted or picked. */
  readonly #given: (block: Block) => Block;

  constructor(
    options: FanOptions,
    workers: Worker[],
    mayStart: (block: Block) => boolean,
    onSend: (worker: Worker, block: Block) => void,
    onEnd: (worker: Worker) => void = () => {},
  ) {
    this.#onEnd = onEnd;
    this.#options = options;
    this.#workers = workers;
    this.#mayStart = mayStart;
    this.#onSend = onSend;
    this.#own = workers.map(() => new BlockQueue());
    this.#elsewhere = new RetryElsewhere(options, workers, () => this.pump());
    this.#partitioner =
      options.dispatch === 'hash'
        ? new HashPartitioner(workers.length, options.framing, options.key, options.maxRecord, {
            maxRecordName: spell(options, 'maxRecord'),
          })
        : null;
    this.#given = (options.removeRecSep && separatorRemover(options.framing)) || ((b) => b);
  }

  /** Bytes waiting to be sent: the input is paused while this is high. */
  get queuedBytes(): number {
    let bytes = this.#shared.bytes;
    for (const queue of this.#own) bytes += queue.bytes;
    return bytes;
  }

  /** How many records hash dispatch has read so far (blocks cut without counting them). */
  get recordsPicked(): number {
    return this.#partitioner?.records ?? 0;
  }

  /** How many blocks wait to be sent. */
  get waiting(): number {
    return this.#shared.length + this.#own.reduce((n, queue) => n + queue.length, 0);
  }

  /** True when nothing waits to be sent. */
  get idle(): boolean {
    return this.#shared.length === 0 && this.#own.every((queue) => queue.length === 0);
  }

  add(input: Block): void {
    if (this.#stopped) return;
    const n = this.#workers.length;
    const dispatch = this.#options.dispatch;
    const block = dispatch === 'hash' ? input : this.#given(input);
    switch (dispatch) {
      case 'ready':
        this.#shared.push(block);
        break;
      case 'round-robin':
        this.#own[this.#added++ % n]!.push(block);
        break;
      case 'broadcast': {
        const copies = shareAmong(block, n);
        this.#own.forEach((queue, slot) => {
          queue.push(copies[slot]!);
        });
        break;
      }
      case 'hash': {
        const parts = this.#partitioner!.split(block, () => this.#seq++);
        parts.forEach((part, worker) => {
          if (part !== null) this.#own[worker]!.push(this.#given(part));
        });
        break;
      }
    }
    this.pump();
  }

  /**
   * Puts failed blocks back at the front, in order, for their own worker slot or for any. All
   * are queued before any is sent, so a worker is not told the input has ended in between.
   */
  retry(blocks: Block[], worker: Worker): void {
    const queue = this.#options.dispatch === 'ready' ? this.#shared : this.#own[worker.slot - 1]!;
    queue.unshift(blocks);
    this.pump();
  }

  /** No more blocks will come: each worker's input is closed once its queue is empty. */
  endInput(): void {
    this.#inputEnded = true;
    this.pump();
  }

  /** --halt soon: the blocks waiting are never sent; each worker's input is closed. */
  halt(): void {
    this.#clearDelay();
    this.#shared.clear();
    for (const queue of this.#own) queue.clear();
    this.endInput();
  }

  /**
   * The fan is stopping: the blocks waiting are never sent, nor any added or retried later. A
   * worker being stopped may look ready (a process's input, destroyed, holds nothing unsent):
   * every block read ahead went to it, each write failing, after the output was closed.
   */
  stop(): void {
    this.#stopped = true;
    this.#clearDelay();
    this.#shared.clear();
    for (const queue of this.#own) queue.clear();
  }

  /**
   * Sends every block that can go now. A pump asked for while one runs (a worker ended in it
   * reports its exit, which asks for another) runs once it is done, not inside it: inside, each
   * of a thousand workers never started, ended one by one, nested a pump in the last one's, and
   * past about 1,040 the stack ran out (`RangeError`, every record lost).
   */
  pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        if (this.#stopped) this.stop();
        else if (this.#options.dispatch === 'ready') this.#pumpShared();
        else this.#pumpOwn();
        if (this.#inputEnded) this.#endIdleWorkers();
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  #pumpShared(): void {
    while (this.#shared.length > 0 && this.#mayStart(this.#shared.first!) && this.#delayPassed()) {
      const block = this.#shared.first!;
      // Least backlog first; among equals, take turns, so idle workers share the blocks. A block
      // that failed on a host goes to a worker on another while one may take it (elsewhere.ts).
      const n = this.#workers.length;
      const avoided = this.#elsewhere.avoided(block);
      let best: Worker | null = null;
      for (let k = 1; k <= n; k++) {
        const worker = this.#workers[(this.#last + k) % n]!;
        if (!worker.ready || avoided?.(worker)) continue;
        if (best === null || worker.backlog < best.backlog) best = worker;
      }
      if (best !== null) this.#last = best.slot - 1;
      if (best === null) {
        if (this.#workers.every((worker) => worker.ended)) this.#shared.clear();
        return;
      }
      this.#send(best, this.#shared.shift()!);
    }
  }

  #pumpOwn(): void {
    this.#workers.forEach((worker, index) => {
      const queue = this.#own[index]!;
      // Its worker has ended: the blocks go unread, as in a shell pipe.
      if (worker.ended) queue.clear();
      while (
        queue.length > 0 &&
        worker.ready &&
        this.#mayStart(queue.first!) &&
        this.#delayPassed()
      ) {
        this.#send(worker, queue.shift()!);
      }
    });
  }

  #send(worker: Worker, block: Block): void {
    this.#elsewhere.sent(block);
    this.#onSend(worker, block);
    // Taken after the block's start is noted (--joblog's Starttime): starts are --delay apart.
    if (this.#options.delay) this.#nextStart = Date.now() + this.#options.delay;
    worker.send(block);
  }

  /**
   * Whether --delay has passed since the last block was sent; if not, a pump is set for when it
   * has. A timer may fire early by the loop's clock, so the time is asked again then.
   */
  #delayPassed(): boolean {
    if (!this.#options.delay) return true;
    const wait = this.#nextStart - Date.now();
    if (wait <= 0) return true;
    this.#delayTimer ??= setTimeout(() => {
      this.#delayTimer = null;
      this.pump();
    }, wait);
    return false;
  }

  #clearDelay(): void {
    if (this.#delayTimer !== null) clearTimeout(this.#delayTimer);
    this.#delayTimer = null;
    this.#elsewhere.clear();
  }

  #endIdleWorkers(): void {
    // Per-block workers on hosts, with --retries: one idle stays open while another still runs a
    // block, which may fail there and go again elsewhere (elsewhere.ts); it costs no process.
    const { remote, retries, attribution } = this.#options;
    if (remote !== undefined && retries > 0 && attribution === 'per-block') {
      if (this.#workers.some((worker) => !worker.ended && !worker.ready)) return;
    }
    this.#workers.forEach((worker, index) => {
      const waiting = this.#options.dispatch === 'ready' ? this.#shared : this.#own[index]!;
      if (waiting.length === 0 && !this.#endedWorkers.has(worker)) {
        this.#endedWorkers.add(worker);
        this.#onEnd(worker);
        worker.end();
      }
    });
  }

  /** Whether blocks wait that this worker would be given, were it running. */
  hasWorkFor(worker: Worker): boolean {
    const waiting = this.#options.dispatch === 'ready' ? this.#shared : this.#own[worker.slot - 1]!;
    return waiting.length > 0;
  }

  /** True once no more blocks will be added (retries aside). */
  get inputEnded(): boolean {
    return this.#inputEnded;
  }

  /** A worker slot was restarted after a failure: it must be ended again at the end of input. */
  reopen(worker: Worker): void {
    this.#endedWorkers.delete(worker);
  }
}
