import { type Block, describeBlock, type RangeNamer } from '../workers/block.js';
import type { Worker } from '../workers/types.js';
import { fileRanges } from './input-places.js';
import type { FanOptions } from './options.js';
import { spell } from './spelling.js';
import { type OutputSource, outputSourceLater, WholeRecords, wholeRecordsOf } from './whole.js';

/**
 * Where collected output goes: manifold's stdout, after tagging and counting. `worker` null:
 * output that is no worker's (--header's copy, written once at the top). `block`: the block
 * whose output it is, where known (a per-block worker's): --tagstring's {#} names it. `tally`:
 * whose the records are, where a batch mixes workers' (then `worker` is only the last one's).
 */
export type Emit = (
  worker: Worker | null,
  parts: Buffer[],
  block?: Block,
  tally?: OutputTally,
) => void;

/**
 * Whose records a batch of merged output holds, counted as they were put in it (manifold's sorted
 * merge, whose batches mix workers): each worker's records and bytes, for --stats.
 */
export class OutputTally extends Map<Worker, { records: number; bytes: number }> {
  /** One record of `worker`'s, of `bytes` as encoded. */
  add(worker: Worker, bytes: number): void {
    const counts = this.get(worker);
    if (counts === undefined) this.set(worker, { records: 1, bytes });
    else {
      counts.records++;
      counts.bytes += bytes;
    }
  }
}

/** Resolves once the output has room for more; to false when the fan is stopping instead. */
export type Room = () => Promise<boolean>;

/** Takes the workers' output and writes it in the order the merge mode asks for. */
export interface Collector {
  output(worker: Worker, chunk: Buffer): void;
  blockOutput(worker: Worker, block: Block, chunk: Buffer): void;
  blockDone(worker: Worker, block: Block): void;
  /** A block failed on `worker` and will run again (or not at all): forget what it wrote. */
  blockFailed(worker: Worker, block: Block): void;
  /**
   * A block failed for good (no `blockFailed` comes for it): its turn passes, unless the run
   * `halting` because of it (then the ordered merge writes nothing from it on). Without
   * retries, the whole records it wrote are written in its place, as a ready merge streams them.
   */
  blockLost(worker: Worker, block: Block, halting: boolean): void;
  trailing(worker: Worker, chunk: Buffer): void;
  /** A worker's process failed: a record it had begun and not ended is no record. */
  workerFailed(worker: Worker): void;
  workerEnded(worker: Worker): void;
  /** May this block be given to a worker now? (The ordered merge's window.) */
  mayStart(block: Block): boolean;
  /** All workers have ended: write what is left (at the pace the output takes it). */
  finish(): void | Promise<void>;
  /** The fan stops: ends what the collector started (a merging process); resolves once ended. */
  abort?(): Promise<void>;
}

/** Values by worker and block. */
export class BlockMap<T> {
  readonly #map = new Map<Worker, Map<Block, T>>();

  get(worker: Worker, block: Block): T | undefined {
    return this.#map.get(worker)?.get(block);
  }

  set(worker: Worker, block: Block, value: T): void {
    let blocks = this.#map.get(worker);
    if (blocks === undefined) {
      blocks = new Map();
      this.#map.set(worker, blocks);
    }
    blocks.set(block, value);
  }

  delete(worker: Worker, block: Block): void {
    this.#map.get(worker)?.delete(block);
  }

  /** Every value, emptying the map. */
  takeAll(): T[] {
    const values = [...this.#map.values()].flatMap((blocks) => [...blocks.values()]);
    this.#map.clear();
    return values;
  }
}

/** Output of a block held until it is complete (retries, or not its turn yet). */
export interface Held {
  worker: Worker;
  /** The block it is the output of. */
  block: Block;
  /**
   * Who made it, for messages, where its kind names that (`Worker.outputMaker`: a host's slot),
   * named as it is taken: a host's slot moves when its host is dropped, and output held for its
   * turn is still the first host's. The message itself is made only when one is needed
   * (`heldSource`): held for every block in flight, it cost ~300 bytes a block.
   */
  maker: string | undefined;
  /** Its parts, as they came (empty until the first: an array made on the first push). */
  parts: Buffer[];
  bytes: number;
  done: boolean;
  /** Failed for good: a last record it had begun is no record. */
  lost?: boolean;
}

/** `block`'s output from `worker`, none held yet: its worker named now, where it is made. */
export function heldOutput(worker: Worker, block: Block): Held {
  const maker = worker.outputMaker?.(block);
  return { worker, block, maker, parts: NONE, bytes: 0, done: false, lost: false };
}

/** The parts of held output that has none yet: shared, never pushed into (`holdPart`). */
const NONE: Buffer[] = [];

/** Adds `chunk` to what `held` holds. */
export function holdPart(held: Held, chunk: Buffer): void {
  // An array of one for the first: `[]` pushed into takes room for 17 (136 bytes more).
  if (held.parts === NONE) held.parts = [chunk];
  else held.parts.push(chunk);
  held.bytes += chunk.length;
}

/** Whose output `held` is, for a message (`outputSource`), made only when one is. */
export function heldSource(held: Held, places: RangeNamer | undefined): OutputSource {
  const { worker, block, maker } = held;
  return () => `${maker ?? `worker ${worker.slot}`} output of ${describeBlock(block, places)}`;
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
  /** By block and worker: under --dispatch broadcast every worker has each block. */
  readonly #held = new BlockMap<Held>();
  readonly #places: RangeNamer | undefined;

  constructor(options: FanOptions, emit: Emit) {
    this.#options = options;
    this.#emit = emit;
    this.#places = fileRanges(options);
  }

  output(worker: Worker, chunk: Buffer, block?: Block): void {
    const source = outputSourceLater(worker, block, this.#places);
    const parts = this.#wholeOf(worker).push(chunk, source);
    if (parts.length > 0) this.#emit(worker, parts, block);
  }

  blockOutput(worker: Worker, block: Block, chunk: Buffer): void {
    if (this.#options.retries === 0) {
      this.output(worker, chunk, block);
      return;
    }
    const held = this.#held.get(worker, block) ?? heldOutput(worker, block);
    holdPart(held, chunk);
    this.#held.set(worker, block, held);
  }

  blockDone(worker: Worker, block: Block): void {
    const held = this.#held.get(worker, block);
    if (held !== undefined) {
      this.#held.delete(worker, block);
      this.#emitWhole(worker, held.parts, heldSource(held, this.#places), block);
    } else if (this.#options.attribution === 'per-block') {
      this.#flushWorker(worker, block);
    }
  }

  blockFailed(worker: Worker, block: Block): void {
    this.#held.delete(worker, block);
    // What streamed of the failed block's last record (no retries) is no record: drop it.
    this.workerFailed(worker);
  }

  workerFailed(worker: Worker): void {
    this.#whole.get(worker)?.discard();
  }

  blockLost(worker: Worker, block: Block): void {
    this.blockFailed(worker, block);
  }

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

  #emitWhole(worker: Worker, parts: Buffer[], source: OutputSource, block: Block): void {
    const out = wholeRecordsOf(
      this.#options.outputFraming,
      parts,
      this.#options.maxRecord,
      spell(this.#options, 'maxRecord'),
      source,
    );
    if (out.length > 0) this.#emit(worker, out, block);
  }

  #flushWorker(worker: Worker, block?: Block): void {
    const source = outputSourceLater(worker, block, this.#places);
    const rest = this.#whole.get(worker)?.end(source) ?? [];
    if (rest.length > 0) this.#emit(worker, rest, block);
  }

  #wholeOf(worker: Worker): WholeRecords {
    let whole = this.#whole.get(worker);
    if (whole === undefined) {
      whole = new WholeRecords(
        this.#options.outputFraming,
        this.#options.maxRecord,
        spell(this.#options, 'maxRecord'),
      );
      this.#whole.set(worker, whole);
    }
    return whole;
  }
}
