import type { Block } from '../workers/block.js';
import type { Worker } from '../workers/types.js';
import type { OutputTally } from './collect.js';
import type { FanOptions } from './options.js';
import { createOutputSink } from './output.js';
import { roomIn, type Sink, WritableSink } from './output-stream.js';
import { countRecords } from './records.js';
import { RecordSeam } from './seam.js';
import type { Stats } from './stats.js';
import { createTaggers, type Tag } from './tag.js';

/** Whether something reports the output's records and bytes: --stats, --progress, a pipeline. */
export function countsOutput(options: FanOptions): boolean {
  return options.stats !== null || options.progress || options.countOutput === true;
}

/**
 * Where a fan's output goes once a merge has ordered it: tagged, counted, joined at the seams
 * between records, written to the sink. While the sink is full the workers' output is not
 * read, and a merge that writes at its own pace waits for room.
 */
export class FanWriter {
  readonly sink: Sink;
  readonly #options: FanOptions;
  readonly #workers: Worker[];
  readonly #stats: Stats;
  readonly #stopped: AbortSignal;
  readonly #tag: Tag;
  readonly #seam: RecordSeam;

  constructor(options: FanOptions, workers: Worker[], stats: Stats, stopped: AbortSignal) {
    this.#options = options;
    this.#workers = workers;
    this.#stats = stats;
    this.#stopped = stopped;
    this.sink =
      options.output === undefined
        ? createOutputSink(options.outputFd ?? 1)
        : new WritableSink(options.output);
    this.#tag = createTaggers(options.outputFraming, options.tagString);
    this.#seam = new RecordSeam(options.outputFraming, { inOrder: options.merge === 'ordered' });
    this.sink.on('drain', () => {
      for (const worker of this.#workers) worker.resume('stdout');
    });
  }

  /**
   * Writes a worker's whole records; or, for no worker (null: --header's copy at the top),
   * records tagged with an empty tag and counted in the totals alone. `block`: the block they
   * are of, where known (per-block output), for --tagstring's {#}.
   */
  emit(worker: Worker | null, parts: Buffer[], block?: Block, tally?: OutputTally): void {
    const out = this.#options.tag ? this.#tag(worker, parts, block) : parts;
    const joined = this.#seam.join(out);
    if (this.#counting) {
      if (tally !== undefined) {
        for (const [whose, { records, bytes }] of tally) this.#stats.credit(whose, records, bytes);
      } else if (worker === null)
        this.#stats.wroteMerged(out, countRecords(out, this.#options.outputFraming));
      else this.#stats.wrote(worker, out);
      this.#countSeam();
    }
    this.sink.write(joined);
    if (this.sink.full) for (const w of this.#workers) w.pause('stdout');
  }

  /** Writes merged whole records no worker can be named for (sort -m's): counted in the totals. */
  emitMerged(parts: Buffer[], records: number): void {
    const joined = this.#seam.join(parts);
    if (this.#counting) {
      this.#stats.wroteMerged(parts, records);
      this.#countSeam();
    }
    this.sink.write(joined);
  }

  get #counting(): boolean {
    return countsOutput(this.#options);
  }

  /**
   * The delimiter the seam put in between (the record before lacked it): bytes written, in the
   * totals, no worker's; no new record.
   */
  #countSeam(): void {
    if (this.#seam.added > 0) this.#stats.wroteMerged([], 0, this.#seam.added);
  }

  /** The end of the output: what the seam held back for it. */
  end(): void {
    this.sink.write(this.#seam.end());
  }

  /** Resolves once the sink has room again (a merge's pace); to false once the fan stops. */
  room(): Promise<boolean> {
    return roomIn(this.sink, this.#stopped);
  }
}
