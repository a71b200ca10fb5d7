import { RecordEncoder } from '../../filters/index.js';
import type { Worker } from '../workers/types.js';
import { BATCH_BYTES, BatchMemory } from './batch-memory.js';
import { type Emit, OutputTally, type Room } from './collect.js';
import type { HeldRuns } from './held-runs.js';
import type { FanOptions } from './options.js';
import type { Run } from './run.js';
import { Slice } from './slice.js';
import { countsOutput } from './writer.js';

/**
 * What the sorted merge (sorted.ts) writes: records taken from the heads of its runs, encoded
 * into batches, handed on at the pace of the output and in slices of bounded time (slice.ts):
 * a merge into an output that keeps up never waits for room, and held the event loop (and a
 * signal) for as long as it ran.
 */
export class SortedOutput {
  readonly #options: FanOptions;
  readonly #held: HeldRuns;
  readonly #workers: Map<number, Worker>;
  readonly #emit: Emit;
  readonly #room: Room;
  readonly #encoder: RecordEncoder;
  readonly #memory = new BatchMemory();
  readonly #slice = new Slice();
  #lastSlot = 0;
  /** Whose records the encoder's batch holds; null if no output is counted, or under --tag. */
  #tally: OutputTally | null;
  /** Bytes handed on since the merge last waited for room in the output. */
  #sinceRoom = 0;

  constructor(
    options: FanOptions,
    held: HeldRuns,
    workers: Map<number, Worker>,
    out: { emit: Emit; room: Room },
  ) {
    this.#options = options;
    this.#held = held;
    this.#workers = workers;
    this.#emit = out.emit;
    this.#room = out.room;
    this.#encoder = new RecordEncoder(options.outputFraming, this.#memory);
    this.#tally = countsOutput(options) && !options.tag ? new OutputTally() : null;
  }

  /** Encodes the head of `run` and drops it; tagged output goes a worker at a time, each tagged. */
  write(run: Run): void {
    const record = run.headRecord();
    const slot = run.headSlot();
    this.#held.shift(run);
    if (this.#options.tag && slot !== this.#lastSlot) this.flush();
    this.#lastSlot = slot;
    if (this.#tally === null) {
      this.#encoder.add(record);
      return;
    }
    const before = this.#encoder.pending;
    this.#encoder.add(record);
    this.#tally.add(this.#workers.get(slot)!, this.#encoder.pending - before);
  }

  /** True when the merge is to `pace` itself: a batch is due, or the slice is spent. */
  due(): boolean {
    return this.#batchDue || this.#slice.tick();
  }

  /**
   * Hands the batch on; waits for room in the output, for the event loop when the slice is spent,
   * and for a spill begun meanwhile. False once the fan stops.
   */
  async pace(): Promise<boolean> {
    this.flush();
    this.#sinceRoom = 0;
    if (this.#slice.due()) await this.#slice.next();
    if (!(await this.#room())) return false;
    await this.#held.settled();
    return !this.#held.stopped;
  }

  /** Hands on what the encoder holds. */
  flush(): void {
    this.#sinceRoom += this.#encoder.pending;
    const parts = this.#encoder.take();
    this.#memory.renew();
    if (parts.length === 0) return;
    const tally = this.#tally ?? undefined;
    this.#emit(this.#workers.get(this.#lastSlot)!, parts, undefined, tally);
    this.#tally = tally === undefined ? null : new OutputTally();
  }

  /**
   * Whether a batch is due: a batch's worth waits in the encoder, or has gone out since the merge
   * last waited for room (tagged output goes a worker at a time: in small batches, as often as
   * the worker changes, which the pace must count too).
   */
  get #batchDue(): boolean {
    return this.#encoder.pending + this.#sinceRoom >= BATCH_BYTES;
  }
}
