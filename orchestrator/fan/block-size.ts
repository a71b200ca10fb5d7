import { formatSize } from '../../filters/index.js';
import { type BlockPlan, blockPlan } from './blocks-per-worker.js';
import type { FanOptions, Log } from './options.js';
import { spell } from './spelling.js';

const MIB = 1024 * 1024;
/** Per-block workers' blocks held in memory grow to at most this. */
const LARGEST = 16 * MIB;
/** Per-block workers' blocks left in their file (they hold no memory) grow to at most this. */
const LARGEST_LEFT = 64 * MIB;
/**
 * The blocks of workers that stay, left in their file for the process starter to send: a send
 * costs a request and a reply, which 4 MiB pays for (1 GiB of words: 1.09 s at 1 MiB, 0.77 s at
 * 4 MiB, 0.79 s at 8 MiB), while smaller blocks share the last of the input out more evenly.
 */
const FED = 4 * MIB;

/**
 * The size of the blocks cut next. `--block`'s, when given, or for workers that stay. Per-block
 * workers (a process per block: `--per-block`, or chosen for `--merge ordered` or `--retries`)
 * pay a process start for every block, so without `--block` their blocks grow: they start at
 * the default block, so a small input still gives every worker some, and double each time
 * every worker could have had one, up to what memory allows. Blocks held in memory: a block per
 * worker in flight and two waiting within `--merge-memory` (8M for -j 2 and 64M), at most 16M.
 * Blocks left in their file until a worker's pipe takes them (`Block.source`) hold nothing, and
 * what an ordered merge holds of a block's output is bounded by `--merge-memory` whatever the
 * block: a share of it each, as much as a worker could write ahead of the block before it
 * without being paused (32M for -j 2 and 64M), at most 64M; and as the file's size is known,
 * they start as large as still gives every worker two blocks. `start` says which, and
 * `--verbose` what was chosen.
 */
export class BlockSizes {
  #size: number;
  #target: number;
  readonly #options: FanOptions;
  readonly #log: Log;
  #cut = 0;
  readonly #plan: BlockPlan | null;

  constructor(options: FanOptions, log: Log) {
    this.#plan = blockPlan(options);
    this.#size = options.blockSize;
    this.#target = options.blockSize;
    this.#options = options;
    this.#log = log;
  }

  /**
   * Reading begins: blocks are left in their file, of `leftInFile` bytes to read (a known size:
   * the first blocks start as large as still gives every worker two), or held (null).
   */
  start(leftInFile: number | null): void {
    const { blockSize, blockGiven, attribution, workers, mergeMemory, records } = this.#options;
    if (records !== undefined) {
      this.#log(
        `blocks of ${records} record${records === 1 ? '' : 's'} each (${spell(this.#options, 'records')}), the last fewer, each as large as its records make it`,
      );
      return;
    }
    if (this.#options.groupBy !== undefined) {
      this.#log(
        `blocks end only where the ${spell(this.#options, 'groupBy')} key changes: each holds whole runs of records with one key (a run larger than a block is a block of its own)`,
      );
    }
    this.#aheadOfMerge();
    if (blockGiven !== false) return;
    if (attribution === 'none') {
      if (leftInFile !== null) this.#fed(leftInFile);
      return;
    }
    if (attribution !== 'per-block') return;
    const left = leftInFile !== null;
    const share = left ? mergeMemory / workers : mergeMemory / (2 * (workers + 2));
    const target = Math.floor(share / MIB) * MIB;
    this.#target = Math.min(
      left ? LARGEST_LEFT : LARGEST,
      Math.max(blockSize, target),
      this.#largest(),
    );
    if (this.#target <= blockSize) return;
    while (left && this.#size * 2 <= this.#target && this.#size * 4 * workers <= leftInFile) {
      this.#size *= 2;
    }
    const from = formatSize(this.#size);
    const sizes =
      this.#size === this.#target
        ? `blocks of ${from}, as large as they grow`
        : `blocks grow from ${from} to ${formatSize(this.#target)}, doubling every ${workers} blocks`;
    const why = left
      ? `each left in the file until its worker takes it; what ${workers} workers write ahead of an ordered merge fits in ${spell(this.#options, 'mergeMemory')} ${formatSize(mergeMemory)}`
      : `${workers} in flight and 2 waiting fit in ${spell(this.#options, 'mergeMemory')} ${formatSize(mergeMemory)}`;
    this.#log(
      `per-block workers: ${sizes} (a process starts for each block; ${why}); ${spell(this.#options, 'block')} sets one size`,
    );
  }

  /**
   * Workers that stay under an ordered merge: a block's output waits while an earlier block's is
   * written, and the workers ahead of the merge are paused once what they hold is past
   * `--merge-memory`. Where their blocks' output (as large as the blocks, for a filter that
   * keeps its records) cannot all fit, they take turns instead of running side by side:
   * `--verbose` says so, and what would let them.
   */
  #aheadOfMerge(): void {
    const { merge, attribution, workers, blockSize, mergeMemory } = this.#options;
    if (merge !== 'ordered' || attribution === 'none' || attribution === 'per-block') return;
    const ahead = (workers - 1) * blockSize;
    if (ahead <= mergeMemory) return;
    const name = spell(this.#options, 'mergeMemory');
    const who =
      workers === 2 ? ['the worker', 'it waits'] : [`the ${workers - 1} workers`, 'they wait'];
    this.#log(
      `${spell(this.#options, 'merge', 'ordered')}: ${who[0]} ahead of the merge may hold ${formatSize(ahead)} of output (blocks of ${formatSize(blockSize)}), more than ${name} ${formatSize(mergeMemory)}: past it, ${who[1]} for the merge; a ${name} of ${formatSize(ahead)} lets every worker run at once`,
    );
  }

  /**
   * Workers that stay, their blocks left in the file: blocks of `FED`, or as large as still gives
   * every worker two of a smaller input.
   */
  #fed(leftInFile: number): void {
    const { blockSize, workers } = this.#options;
    const most = Math.min(FED, this.#largest());
    while (this.#size * 2 <= most && this.#size * 4 * workers <= leftInFile) this.#size *= 2;
    this.#target = this.#size;
    if (this.#size === blockSize) return;
    this.#log(
      `blocks of ${formatSize(this.#size)}: each is sent from the file by the kernel, a request to the process starter each; ${spell(this.#options, 'block')} sets one size`,
    );
  }

  /**
   * Blocks grow to --max-record at most: a record over it inside a block is measured only where
   * the block is read record by record, or measured (range-input.ts), and a block no larger than
   * the limit cannot hold one.
   */
  #largest(): number {
    return Math.max(this.#options.blockSize, this.#options.maxRecord);
  }

  get current(): number {
    return this.#size;
  }

  /**
   * A block was cut; returns the size of the next. `done`: the bytes of the input its blocks
   * have taken so far, where they are cut from a file's ranges (range-input.ts): a negative
   * --block's are planned (`BlockPlan`).
   */
  cut(done?: number): number {
    if (this.#plan !== null && done !== undefined) return this.#plan.next(done);
    if (this.#size < this.#target && ++this.#cut % this.#options.workers === 0) {
      this.#size = Math.min(this.#target, this.#size * 2);
    }
    return this.#size;
  }
}
