import { createDecoder, RecordError } from '../../filters/index.js';
import type { Block, RangeNamer } from '../workers/block.js';
import type { Worker } from '../workers/types.js';
import { BlockMap, type Collector, type Emit, type Room } from './collect.js';
import { RunHeap } from './heap.js';
import { HeldRuns } from './held-runs.js';
import { fileRanges } from './input-places.js';
import type { FanOptions } from './options.js';
import { recordOrder } from './order.js';
import type { Run } from './run.js';
import { SortedOutput } from './sorted-output.js';
import { addChunk, checkOrder, endSource, type Source } from './sorted-source.js';
import { spell } from './spelling.js';
import { spillRemedy } from './spill.js';
import { outputSource, outputSourceLater } from './whole.js';

/**
 * `--merge sorted`: merges sorted runs into one sorted stream, like `sort -m`. With output tied
 * to blocks, each block's output is a run, and nothing can be written before every block is
 * done; without, each worker's whole output is one run, and a record goes out once every worker
 * still running has offered one to compare with. Held records past `--merge-memory` spill to
 * temporary files, as `sort` does. A run out of order stops the run with an error naming it,
 * rather than giving unsorted output.
 */
export class SortedCollector implements Collector {
  readonly #options: FanOptions;
  readonly #compare: (a: Buffer, b: Buffer) => number;
  readonly #workers = new Map<number, Worker>();
  readonly #attributed: boolean;
  readonly #held: HeldRuns;
  /** By worker and block: under --dispatch broadcast every worker has each block. */
  readonly #blocks = new BlockMap<Source>();
  /** Each worker's output not tied to a block: all of it, or what it writes after its blocks. */
  readonly #streams = new Map<Worker, Source>();
  readonly #out: SortedOutput;
  /** Unattributed: true while records stream out, at the output's pace. */
  #streaming = false;
  #streamed: Promise<void> = Promise.resolve();
  #failure: unknown = null;
  readonly #places: RangeNamer | undefined;

  constructor(options: FanOptions, workers: Worker[], emit: Emit, room: Room) {
    this.#options = options;
    this.#places = fileRanges(options);
    this.#attributed = options.attribution !== 'none';
    this.#compare = recordOrder(options);
    this.#held = new HeldRuns(
      this.#compare,
      options.mergeMemory,
      spillRemedy(options),
      options.tmpdir,
    );
    // While a spill runs, no worker's output is read: memory stays within --merge-memory.
    this.#held.onSpill = (spilling) => {
      for (const worker of workers) {
        if (spilling) worker.pause('spill');
        else worker.resume('spill');
      }
    };
    this.#out = new SortedOutput(options, this.#held, this.#workers, { emit, room });
    for (const worker of workers) {
      this.#workers.set(worker.slot, worker);
      // Unattributed, every worker's run is there from the start: the merge waits for each.
      if (!this.#attributed) this.#streamOf(worker);
    }
  }

  output(worker: Worker, chunk: Buffer): void {
    this.#rethrow();
    this.#add(this.#streamOf(worker), chunk);
    if (!this.#attributed) this.#stream();
  }

  blockOutput(worker: Worker, block: Block, chunk: Buffer): void {
    if (!this.#attributed) {
      this.output(worker, chunk);
      return;
    }
    this.#rethrow();
    let source = this.#blocks.get(worker, block);
    if (source === undefined) {
      // In ties, by block, then by worker: under --dispatch broadcast every worker has each block.
      source = this.#source(
        block.seq * (this.#workers.size + 1) + worker.slot,
        worker,
        outputSource(worker, block),
      );
      // Named again where a message reads the input's files again to name the block.
      const named = outputSourceLater(worker, block, this.#places);
      if (this.#places !== undefined && typeof named === 'function') source.named = named;
      this.#blocks.set(worker, block, source);
    }
    if (source.broken !== undefined) return;
    try {
      this.#add(source, chunk);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      source.broken = error;
    }
  }

  blockDone(worker: Worker, block: Block): void {
    this.#rethrow();
    const source = this.#blocks.get(worker, block);
    if (source === undefined) return;
    this.#blocks.delete(worker, block);
    if (source.broken !== undefined) throw source.broken;
    this.#close(source);
  }

  blockFailed(worker: Worker, block: Block): void {
    const source = this.#blocks.get(worker, block);
    if (source === undefined) return;
    this.#blocks.delete(worker, block);
    this.#held.drop(source.run);
  }

  /** Without --retries a lost block's whole records are merged, as other merges write them. */
  blockLost(worker: Worker, block: Block): void {
    const source = this.#blocks.get(worker, block);
    if (this.#options.retries > 0 || source === undefined) this.blockFailed(worker, block);
    else {
      this.#blocks.delete(worker, block);
      source.run.closed = true; // the record it was cut in is none
    }
  }

  trailing(worker: Worker, chunk: Buffer): void {
    this.output(worker, chunk);
  }

  /**
   * A failed worker's run ends with it (the record it was cut in is none): under --halt never
   * the instance started in its place writes a run of its own. Taken for the same run, its
   * first record was out of order and the run stopped, `not sorted by the key`.
   */
  workerFailed(worker: Worker): void {
    const source = this.#streams.get(worker);
    if (source === undefined) return;
    this.#streams.delete(worker);
    source.run.closed = true;
    // Unattributed, the merge waits for each worker's run: its next one is there from now.
    if (this.#attributed) return;
    this.#streamOf(worker);
    this.#stream();
  }

  workerEnded(worker: Worker): void {
    this.#rethrow();
    const source = this.#streams.get(worker);
    if (source === undefined) return;
    // A worker started again writes a run of its own.
    this.#streams.delete(worker);
    this.#close(source);
    if (!this.#attributed) this.#stream();
  }

  mayStart(): boolean {
    return true;
  }

  /** Every run is complete: merges them all, at the pace the output takes it. */
  async finish(): Promise<void> {
    await this.#streamed;
    this.#rethrow();
    for (const source of [...this.#streams.values(), ...this.#blocks.takeAll()]) {
      if (source.broken !== undefined) throw source.broken;
      this.#close(source);
    }
    this.#streams.clear();
    const held = this.#held;
    try {
      await held.settled();
      await held.limitFiles();
      const heap = new RunHeap(held.runs, held.before);
      while (heap.size > 0 && !held.stopped) {
        const run = heap.top();
        this.#out.write(run);
        heap.settle();
        if (this.#out.due() && !(await this.#out.pace())) break;
      }
      if (heap.size === 0) this.#out.flush();
    } finally {
      // Stopping, failed, or done: the spill files go now, not when manifold exits.
      held.dropAll();
    }
  }

  /** The fan stops: a spill or merge running ends at its next slice, and its files go. */
  abort(): Promise<void> {
    return this.#held.stop();
  }

  #streamOf(worker: Worker): Source {
    let source = this.#streams.get(worker);
    if (source === undefined) {
      // After its blocks' runs, in ties: an aggregate's flush comes last.
      const order = this.#attributed ? Number.MAX_SAFE_INTEGER - worker.slot : worker.slot;
      source = this.#source(order, worker, outputSource(worker));
      this.#streams.set(worker, source);
    }
    return source;
  }

  #source(order: number, worker: Worker, input: string): Source {
    const { outputFraming, maxRecord } = this.#options;
    const run = this.#held.create(order, worker.slot);
    const maxRecordName = spell(this.#options, 'maxRecord');
    // A worker's output: an oversized frame asks `is it frames?`, as the other merges ask.
    const reading = 'it';
    const decoder = createDecoder(outputFraming, { input, maxRecord, maxRecordName, reading });
    return { run, decoder, input, last: null };
  }

  #add(source: Source, chunk: Buffer): void {
    addChunk(source, chunk, (records) => this.#take(source, records));
  }

  #close(source: Source): void {
    endSource(source, (records) => this.#take(source, records));
  }

  #take(source: Source, records: Buffer[]): void {
    if (records.length === 0) return;
    const merge = spell(this.#options, 'merge', 'sorted');
    checkOrder(source, records, this.#compare, merge, this.#options.command.env);
    this.#held.add(source.run, records);
  }

  /** Unattributed: writes records while every run still open has one to compare. */
  #stream(): void {
    // Under --halt never a failed worker starts again, a new run: what its old run had
    // streamed out may sort after the new run's first records. Nothing goes out before the end.
    if (this.#options.halt === 'never') return;
    if (!this.#streaming) this.#streamed = this.#streamAtPace();
  }

  /**
   * Writes records while every run still open has one, waiting for room in the output between
   * batches: a run that ends may let everything held go at once. Records that come meanwhile
   * join in; a failure is thrown at the next call from the engine.
   */
  async #streamAtPace(): Promise<void> {
    this.#streaming = true;
    try {
      // A spill begun since the last wait: its runs are its own until it ends.
      if (this.#held.spilling) await this.#held.settled();
      for (let best = this.#smallest(); best !== null; best = this.#smallest()) {
        this.#out.write(best);
        if (this.#out.due() && !(await this.#out.pace())) break;
      }
      this.#out.flush();
    } catch (error) {
      this.#failure ??= error;
    }
    this.#streaming = false;
  }

  #rethrow(): void {
    if (this.#failure !== null) throw this.#failure;
    this.#held.rethrow();
  }

  /** The run with the smallest head; null when a run still open has none (or none is left). */
  #smallest(): Run | null {
    let best: Run | null = null;
    for (const run of this.#held.runs) {
      if (!run.hasHead) {
        if (!run.closed) return null;
        this.#held.drop(run);
      } else if (best === null || this.#held.before(run, best)) best = run;
    }
    return best;
  }
}
