import type { Worker } from '../workers/types.js';
import type { Block } from './block.js';
import type { FanOptions } from './options.js';
import { WholeRecords, wholeRecordsOf } from './whole.js';

/** Where collected output goes: manifold's stdout, after tagging and counting. */
export type Emit = (worker: Worker, parts: Buffer[]) => void;

/** Takes the workers' output and writes it in the order the merge mode asks for. */
export interface Collector {
  output(worker: Worker, chunk: Buffer): void;
  blockOutput(worker: Worker, block: Block, chunk: Buffer): void;
  blockDone(worker: Worker, block: Block): void;
  /** A block failed and will run again (or not at all): forget what it wrote. */
  blockFailed(block: Block): void;
  /** A block failed for good and the run goes on (--halt never): its turn passes. */
  blockLost(worker: Worker, block: Block): void;
  trailing(worker: Worker, chunk: Buffer): void;
  workerEnded(worker: Worker): void;
  /** May this block be given to a worker now? (The ordered merge's window.) */
  mayStart(block: Block): boolean;
  /** All workers have ended: write what is left. */
  finish(): void;
}

/** Output of a block held until it is complete (retries, or not its turn yet). */
interface Held {
  worker: Worker;
  parts: Buffer[];
  bytes: number;
  done: boolean;
}

/**
 * `--merge ready`: output goes out as soon as it is whole. Unattributed output passes through
 * each worker's WholeRecords; attributed output is held per block until the block is done when
 * retries may run it again, so that each block's output is written once.
 */
export class ReadyCollector implements Collector {
  readonly #options: FanOptions;
  readonly #emit: Emit;
  readonly #whole = new Map<Worker, WholeRecords>();
  readonly #held = new Map<Block, Held>();

  constructor(options: FanOptions, emit: Emit) {
    this.#options = options;
    this.#emit = emit;
  }

  output(worker: Worker, chunk: Buffer): void {
    const parts = this.#wholeOf(worker).push(chunk);
    if (parts.length > 0) this.#emit(worker, parts);
  }

  blockOutput(worker: Worker, block: Block, chunk: Buffer): void {
    if (this.#options.retries === 0) {
      this.output(worker, chunk);
      return;
    }
    const held = this.#held.get(block) ?? { worker, parts: [], bytes: 0, done: false };
    held.parts.push(chunk);
    held.bytes += chunk.length;
    this.#held.set(block, held);
  }

  blockDone(worker: Worker, block: Block): void {
    const held = this.#held.get(block);
    if (held !== undefined) {
      this.#held.delete(block);
      this.#emitWhole(worker, held.parts);
    } else if (this.#options.attribution === 'per-block') {
      this.#flushWorker(worker);
    }
  }

  blockFailed(block: Block): void {
    this.#held.delete(block);
  }

  blockLost(): void {}

  trailing(worker: Worker, chunk: Buffer): void {
    this.output(worker, chunk);
  }

  workerEnded(worker: Worker): void {
    this.#flushWorker(worker);
  }

  mayStart(): boolean {
    return true;
  }

  finish(): void {}

  #emitWhole(worker: Worker, parts: Buffer[]): void {
    const out = wholeRecordsOf(this.#options.outputFraming, parts, this.#options.maxRecord);
    if (out.length > 0) this.#emit(worker, out);
  }

  #flushWorker(worker: Worker): void {
    const rest = this.#whole.get(worker)?.end() ?? [];
    if (rest.length > 0) this.#emit(worker, rest);
  }

  #wholeOf(worker: Worker): WholeRecords {
    let whole = this.#whole.get(worker);
    if (whole === undefined) {
      whole = new WholeRecords(this.#options.outputFraming, this.#options.maxRecord);
      this.#whole.set(worker, whole);
    }
    return whole;
  }
}

/** Held output past this many bytes pauses the workers that are ahead of the next block. */
const HOLD_LIMIT = 64 * 1024 * 1024;

/**
 * `--merge ordered`: output in the order of the input blocks. The next block's output streams
 * out as it comes (unless retries may run it again); later blocks' output waits. Blocks more
 * than `window` ahead of the next are not started, and workers ahead are paused while held
 * output is past HOLD_LIMIT, so memory stays bounded.
 */
export class OrderedCollector implements Collector {
  readonly #options: FanOptions;
  readonly #emit: Emit;
  readonly #window: number;
  readonly #held = new Map<number, Held>();
  readonly #paused = new Set<Worker>();
  readonly #trailing = new Map<Worker, Buffer[]>();
  #next = 0;
  #heldBytes = 0;
  #whole: WholeRecords;

  constructor(options: FanOptions, emit: Emit) {
    this.#options = options;
    this.#emit = emit;
    this.#window = Math.max(4, 4 * options.workers);
    this.#whole = new WholeRecords(options.outputFraming, options.maxRecord);
  }

  output(): void {
    throw new Error('ordered merge needs output tied to blocks');
  }

  blockOutput(worker: Worker, block: Block, chunk: Buffer): void {
    if (block.seq === this.#next && this.#options.retries === 0) {
      const parts = this.#whole.push(chunk);
      if (parts.length > 0) this.#emit(worker, parts);
      return;
    }
    const held = this.#heldOf(block, worker);
    held.parts.push(chunk);
    held.bytes += chunk.length;
    this.#heldBytes += chunk.length;
    if (this.#heldBytes > HOLD_LIMIT && block.seq !== this.#next && !this.#paused.has(worker)) {
      this.#paused.add(worker);
      worker.pause('ordered');
    }
  }

  blockDone(worker: Worker, block: Block): void {
    this.#heldOf(block, worker).done = true;
    this.#advance();
  }

  blockFailed(block: Block): void {
    const held = this.#held.get(block.seq);
    if (held === undefined) return;
    this.#heldBytes -= held.bytes;
    this.#held.delete(block.seq);
  }

  blockLost(worker: Worker, block: Block): void {
    this.blockFailed(block);
    const held = this.#heldOf(block, worker);
    held.done = true;
    this.#advance();
  }

  trailing(worker: Worker, chunk: Buffer): void {
    // Output after the last block (a filter's flush) goes at the very end, by worker.
    const parts = this.#trailing.get(worker) ?? [];
    parts.push(chunk);
    this.#trailing.set(worker, parts);
  }

  workerEnded(): void {}

  /**
   * Per-block workers wait for their turn to start. Persistent ones are not held back: one that
   * buffers its output (awk, sed writing to a pipe) writes it only when more input or the end of
   * its input comes, and holding input back from it would wait forever. Their memory is bounded
   * by pausing the workers that run ahead instead.
   */
  mayStart(block: Block): boolean {
    return this.#options.attribution !== 'per-block' || block.seq < this.#next + this.#window;
  }

  /** At the end: the workers' trailing output, in worker order. */
  finish(): void {
    const workers = [...this.#trailing.keys()].sort((a, b) => a.slot - b.slot);
    for (const worker of workers) this.#emitWhole(worker, this.#trailing.get(worker)!);
  }

  #advance(): void {
    for (;;) {
      const held = this.#held.get(this.#next);
      if (held === undefined || !held.done) break;
      this.#held.delete(this.#next);
      this.#heldBytes -= held.bytes;
      // The part streamed while this block was next, and then what was held.
      const parts = held.parts.flatMap((part) => this.#whole.push(part));
      parts.push(...this.#whole.end());
      if (parts.length > 0) this.#emit(held.worker, parts);
      this.#next++;
    }
    const head = this.#held.get(this.#next);
    if (head !== undefined && !head.done && this.#options.retries === 0) {
      // The new next block streams from now on: what it wrote so far goes out first.
      this.#heldBytes -= head.bytes;
      const parts = head.parts.flatMap((part) => this.#whole.push(part));
      head.parts = [];
      head.bytes = 0;
      if (parts.length > 0) this.#emit(head.worker, parts);
    }
    if (this.#heldBytes <= HOLD_LIMIT) {
      for (const worker of this.#paused) worker.resume('ordered');
      this.#paused.clear();
    }
  }

  #heldOf(block: Block, worker: Worker): Held {
    let held = this.#held.get(block.seq);
    if (held === undefined) {
      held = { worker, parts: [], bytes: 0, done: false };
      this.#held.set(block.seq, held);
    }
    return held;
  }

  #emitWhole(worker: Worker, parts: Buffer[]): void {
    const out = wholeRecordsOf(this.#options.outputFraming, parts, this.#options.maxRecord);
    if (out.length > 0) this.#emit(worker, out);
  }
}
