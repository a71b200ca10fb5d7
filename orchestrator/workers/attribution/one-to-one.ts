import type { Framing } from '../../../filters/index.js';
import type { Block } from '../block.js';
import type { BlockQueue } from '../block-queue.js';
import type { InputHeader } from '../header.js';
import type { Worker, WorkerListener } from '../types.js';
import { RecordCounter } from './count.js';

/**
 * `--one-to-one`: one instance's output cut where each block's records are all out, one output
 * record per input record (and per header record given before the block). `inFlight` is the
 * instance's blocks given and not finished, oldest first: a finished block is taken out of it.
 */
export class OneToOneOutput {
  readonly #counter: RecordCounter;
  readonly #worker: Worker;
  readonly #inFlight: () => BlockQueue;
  readonly #listener: WorkerListener;
  /** --header: filled in as the input is read, so read as each block's count starts. */
  readonly #header: InputHeader;
  /** Output records still expected for the oldest block in flight. */
  #want = 0;
  /** The instance as messages name it, and the last block it finished. */
  readonly #describe: () => string;
  #lastDone: Block | undefined;

  constructor(
    framing: Framing,
    worker: Worker,
    inFlight: () => BlockQueue,
    listener: WorkerListener,
    header: InputHeader,
    describe: () => string,
  ) {
    this.#describe = describe;
    this.#counter = new RecordCounter(framing);
    this.#worker = worker;
    this.#inFlight = inFlight;
    this.#listener = listener;
    this.#header = header;
  }

  /** A block was given (and added to those in flight): the first is counted out from now. */
  given(): void {
    const inFlight = this.#inFlight();
    if (inFlight.length !== 1) return;
    this.#want = this.#expected(inFlight.first!);
    this.#finishEmptyBlocks();
  }

  /** Output: each block's part passed on, and the block done once its records are all out. */
  push(chunk: Buffer): void {
    const listener = this.#listener;
    let pos = 0;
    while (pos < chunk.length) {
      const block = this.#inFlight().first;
      if (block === undefined) {
        const after = { instance: this.#describe(), block: this.#lastDone };
        listener.onTrailingOutput(this.#worker, chunk.subarray(pos), after);
        return;
      }
      const { found, end } = this.#counter.advance(chunk, pos, this.#want);
      if (end > pos) listener.onBlockOutput(this.#worker, block, chunk.subarray(pos, end));
      pos = end;
      this.#want -= found;
      if (this.#want === 0) this.#endBlock();
    }
  }

  /**
   * The instance ended well: a final output record without its delimiter still counts (one
   * that crashed or was killed was cut short in the middle of it).
   */
  endedWell(): void {
    if (this.#counter.midRecord && this.#inFlight().length > 0 && --this.#want === 0)
      this.#endBlock();
  }

  /** The output records a block must have, one per record given. */
  #expected(block: Block): number {
    return block.records + this.#header.records;
  }

  #endBlock(): void {
    const inFlight = this.#inFlight();
    const block = inFlight.shift()!;
    this.#lastDone = block;
    this.#listener.onBlockDone(this.#worker, block);
    const next = inFlight.first;
    this.#want = next === undefined ? 0 : this.#expected(next);
    this.#finishEmptyBlocks();
  }

  /** Blocks of no records expect no output: they are done as soon as they are first in line. */
  #finishEmptyBlocks(): void {
    const inFlight = this.#inFlight();
    while (inFlight.length > 0 && this.#expected(inFlight.first!) === 0) this.#endBlock();
  }
}
