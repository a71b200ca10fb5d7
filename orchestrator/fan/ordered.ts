import type { Block, RangeNamer } from '../workers/block.js';
import type { Worker } from '../workers/types.js';
import {
  type Collector,
  type Emit,
  type Held,
  heldOutput,
  heldSource,
  holdPart,
} from './collect.js';
import { fileRanges } from './input-places.js';
import type { FanOptions } from './options.js';
import { spell } from './spelling.js';
import { outputSource, outputSourceLater, WholeRecords, wholeRecordsOf } from './whole.js';

/**
 * `--merge ordered`: output in the order of the input blocks. The next block's output streams
 * out as it comes (unless retries may run it again); later blocks' output waits. Blocks more
 * than `window` ahead of the next are not started, and workers ahead are paused while held
 * output is past `--merge-memory`, so memory stays bounded.
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
  /** The first block lost under --halt now: nothing from it on is written. */
  #lostAt = Number.POSITIVE_INFINITY;
  #whole: WholeRecords;
  readonly #places: RangeNamer | undefined;

  constructor(options: FanOptions, emit: Emit) {
    this.#options = options;
    this.#places = fileRanges(options);
    this.#emit = emit;
    this.#window = Math.max(4, 4 * options.workers);
    this.#whole = new WholeRecords(
      options.outputFraming,
      options.maxRecord,
      spell(options, 'maxRecord'),
    );
  }

  output(): void {
    throw new Error('ordered merge needs output tied to blocks');
  }

  blockOutput(worker: Worker, block: Block, chunk: Buffer): void {
    if (block.seq === this.#next && this.#options.retries === 0 && block.seq < this.#lostAt) {
      const parts = this.#whole.push(chunk, outputSourceLater(worker, block, this.#places));
      if (parts.length > 0) this.#emit(worker, parts, block);
      return;
    }
    const held = this.#heldOf(block, worker);
    holdPart(held, chunk);
    this.#heldBytes += chunk.length;
    if (
      this.#heldBytes > this.#options.mergeMemory &&
      block.seq !== this.#next &&
      !this.#paused.has(worker)
    ) {
      this.#paused.add(worker);
      worker.pause('ordered');
    }
  }

  blockDone(worker: Worker, block: Block): void {
    this.#heldOf(block, worker).done = true;
    this.#advance();
  }

  blockFailed(_worker: Worker, block: Block): void {
    // The start of a record the failed block was streaming is no record: it never goes out.
    if (block.seq === this.#next) this.#whole.discard();
    const held = this.#held.get(block.seq);
    if (held === undefined) return;
    this.#heldBytes -= held.bytes;
    this.#held.delete(block.seq);
  }

  blockLost(worker: Worker, block: Block, halting: boolean): void {
    // When the run halts for it, the output ends with the lost block, as `parallel -k --halt`:
    // blocks after it, done or not, are never written, so the output is a prefix of the input's.
    // (Under `now`, a block before it that the halt stops is never done: the output ends there.)
    if (halting) this.#lostAt = Math.min(this.#lostAt, block.seq + 1);
    // Its turn passes. Without retries, what it wrote goes out in its place, whole records
    // only, whether it was streaming or held (as a ready merge streams it, and GNU parallel
    // writes a failed job's output); with them, nothing of it. Under `--halt soon` too: it
    // dropped what was held, so the output had the block's records or not as timing went.
    if (this.#options.retries > 0) this.blockFailed(worker, block);
    else if (block.seq === this.#next) this.#whole.discard();
    const held = this.#heldOf(block, worker);
    held.done = true;
    held.lost = true;
    this.#advance();
  }

  trailing(worker: Worker, chunk: Buffer): void {
    // Output after the last block (a filter's flush) goes at the very end, by worker.
    const parts = this.#trailing.get(worker) ?? [];
    parts.push(chunk);
    this.#trailing.set(worker, parts);
  }

  /** Output is tied to blocks here: a failed block's output is dropped by blockFailed. */
  workerFailed(): void {}

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
    if (this.#lostAt !== Number.POSITIVE_INFINITY) return;
    const workers = [...this.#trailing.keys()].sort((a, b) => a.slot - b.slot);
    for (const worker of workers) this.#emitWhole(worker, this.#trailing.get(worker)!);
  }

  #advance(): void {
    for (;;) {
      const held = this.#held.get(this.#next);
      if (held === undefined || !held.done || this.#next >= this.#lostAt) break;
      this.#held.delete(this.#next);
      this.#heldBytes -= held.bytes;
      // The part streamed while this block was next, and then what was held.
      const source = heldSource(held, this.#places);
      const parts = held.parts.flatMap((part) => this.#whole.push(part, source));
      if (held.lost) this.#whole.discard();
      else parts.push(...this.#whole.end(source));
      if (parts.length > 0) this.#emit(held.worker, parts, held.block);
      this.#next++;
    }
    const head = this.#held.get(this.#next);
    if (
      head !== undefined &&
      !head.done &&
      this.#options.retries === 0 &&
      this.#next < this.#lostAt
    ) {
      // The new next block streams from now on: what it wrote so far goes out first.
      this.#heldBytes -= head.bytes;
      const source = heldSource(head, this.#places);
      const parts = head.parts.flatMap((part) => this.#whole.push(part, source));
      head.parts = [];
      head.bytes = 0;
      if (parts.length > 0) this.#emit(head.worker, parts, head.block);
    }
    // Paused while it ran ahead, the next block's worker is the one that must go on now (held
    // whole under --retries): the others wait for it, paused while what they hold is past the
    // bound, and it waited for them. The run stalled, its output cut or hung.
    if (head !== undefined && !head.done && this.#paused.delete(head.worker))
      head.worker.resume('ordered');
    if (this.#heldBytes <= this.#options.mergeMemory) {
      for (const worker of this.#paused) worker.resume('ordered');
      this.#paused.clear();
    }
  }

  #heldOf(block: Block, worker: Worker): Held {
    let held = this.#held.get(block.seq);
    if (held === undefined) {
      held = heldOutput(worker, block);
      this.#held.set(block.seq, held);
    }
    return held;
  }

  #emitWhole(worker: Worker, parts: Buffer[]): void {
    const out = wholeRecordsOf(
      this.#options.outputFraming,
      parts,
      this.#options.maxRecord,
      spell(this.#options, 'maxRecord'),
      outputSource(worker),
    );
    if (out.length > 0) this.#emit(worker, out);
  }
}
