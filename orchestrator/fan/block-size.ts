import { formatSize } from '../../filters/index.js';
import type { FanOptions, Log } from './options.js';

const MIB = 1024 * 1024;
/** Per-block workers' blocks grow to at most this. */
const LARGEST = 16 * MIB;

/**
 * The size of the blocks cut next. `--block`'s, when given, or for workers that stay. Per-block
 * workers (a process per block: `--per-block`, or chosen for `--merge ordered` or `--retries`)
 * pay a process start for every block, so without `--block` their blocks grow: they start at
 * the default block, so a small input still gives every worker some, and double each time
 * every worker could have had one, up to what memory allows: a block per worker in flight and
 * two waiting within `--merge-memory` (8M for -j 2 and 64M), at most 16M. `--verbose` says so.
 */
export class BlockSizes {
  #size: number;
  readonly #target: number;
  readonly #every: number;
  #cut = 0;

  constructor(options: FanOptions, log: Log) {
    const { blockSize, blockGiven, attribution, workers, mergeMemory } = options;
    this.#size = blockSize;
    this.#every = workers;
    const held = Math.floor(mergeMemory / (2 * (workers + 2)) / MIB) * MIB;
    this.#target =
      blockGiven === false && attribution === 'per-block'
        ? Math.min(LARGEST, Math.max(blockSize, held))
        : blockSize;
    if (this.#target > blockSize) {
      log(
        `per-block workers: blocks grow from ${formatSize(blockSize)} to ${formatSize(this.#target)}, doubling every ${workers} blocks (a process starts for each block; ${workers} in flight and 2 waiting fit in --merge-memory ${formatSize(mergeMemory)}); --block sets one size`,
      );
    }
  }

  get current(): number {
    return this.#size;
  }

  /** A block was cut; returns the size of the next. */
  cut(): number {
    if (this.#size < this.#target && ++this.#cut % this.#every === 0) {
      this.#size = Math.min(this.#target, this.#size * 2);
    }
    return this.#size;
  }
}
