import { fstatSync, statSync } from 'node:fs';
import { UsageError } from '../../filters/index.js';
import { formatSize } from '../../filters/size.js';
import type { FanOptions, Log } from './options.js';

/**
 * A negative --block (`-1`, `-4`), as GNU parallel's `--pipepart --block -1`: so many blocks for
 * each worker, their size the input's divided among them. Worked out here, when the fan is made,
 * for every face (command line, config, library), once the workers are known (a host's slots).
 * An input whose size is not known before it is read (a pipe, a stream) cannot be divided: a
 * usage error that says to give a size (a config's fan after another stage is refused by its
 * check, config/check.ts; `label` names a stage that reads a pipe all the same).
 */
export function sizeBlocksPerWorker(options: FanOptions, log: Log, label = ''): FanOptions {
  const per = options.blocksPerWorker;
  if (per === undefined) return options;
  const total = knownSize(options);
  if (total === null) {
    throw new UsageError(
      `${label === '' ? '' : `stage ${label}: `}${per.said} divides the input's size among the workers, and this input is a pipe or a stream, whose size is not known before it is read: read a file, or give the block a size (64M)`,
    );
  }
  // Under broadcast every worker gets every block: the blocks are the input's, not a share.
  const shares = options.dispatch === 'broadcast' ? 1 : options.workers;
  const blocks = per.count * shares;
  const blockSize = Math.max(1, Math.ceil(total / blocks));
  log(
    `${per.said}: blocks of ${formatSize(blockSize)}, the input's ${formatSize(total)} in ${blocks} block(s) at most, ${per.count} for each worker`,
  );
  return { ...options, blockSize };
}

/** The input's size before it is read: the files', or stdin's when it is a file; else null. */
function knownSize(options: FanOptions): number | null {
  if (options.input !== undefined) return null;
  const fd = options.inputFd ?? 0;
  const names = options.inputs ?? ['-'];
  let total = 0;
  for (const name of names) {
    const stat = name === '-' ? fstatSync(fd) : statSync(name);
    if (!stat.isFile()) return null;
    total += stat.size;
  }
  return total;
}

/**
 * Where a negative --block's blocks end: block n at the last record end before n whole sizes
 * (after a record that runs past them), so that the input is cut into the blocks planned, not
 * one more for the bytes each block's last record end left over. Used by the file's ranges
 * (block-size.ts) and by the splitters of a stream (splitter.ts, ends-splitter.ts).
 */
export class BlockPlan {
  readonly #size: number;
  #cut = 0;

  constructor(size: number) {
    this.#size = size;
  }

  /** A block was cut, `done` bytes of the input taken by blocks so far: the next's size. */
  next(done: number): number {
    this.#cut = Math.max(this.#cut + 1, Math.floor(done / this.#size));
    return (this.#cut + 1) * this.#size - done;
  }
}

/** The plan of a negative --block's blocks, or null for blocks of a size. */
export function blockPlan(options: FanOptions): BlockPlan | null {
  return options.blocksPerWorker === undefined ? null : new BlockPlan(options.blockSize);
}
