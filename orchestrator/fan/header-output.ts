import type { Block } from '../workers/block.js';
import type { Worker } from '../workers/types.js';

/** One output's start, while it may still be the header. */
interface Start {
  matched: number;
  held: Buffer[];
}

/**
 * --header on the way out: each output (a block's, or a persistent worker's instance's when
 * output is not tied to blocks) that starts with the header's exact bytes has them taken off,
 * and the header is written once, before anything else, the first time one does (`write`
 * decides whether the output has not begun yet). Workers that do not echo the header (grep,
 * wc) leave their output as it is.
 */
export class HeaderOutput {
  readonly #header: Buffer;
  readonly #write: (worker: Worker) => void;
  /** Outputs whose start is not decided yet, by worker and block (null: not tied to blocks). */
  readonly #starts = new Map<Worker, Map<Block | null, Start>>();
  /** Outputs decided, that pass as they come. */
  readonly #decided = new Map<Worker, Set<Block | null>>();

  constructor(header: Buffer, write: (worker: Worker) => void) {
    this.#header = header;
    this.#write = write;
  }

  /** Output of `block` (null: not tied to a block): what may go on now, the header taken off. */
  pass(worker: Worker, block: Block | null, chunk: Buffer): Buffer[] {
    if (this.#decided.get(worker)?.has(block)) return [chunk];
    const starts = this.#starts.get(worker) ?? new Map<Block | null, Start>();
    this.#starts.set(worker, starts);
    const start = starts.get(block) ?? { matched: 0, held: [] };
    const header = this.#header;
    const n = Math.min(chunk.length, header.length - start.matched);
    if (chunk.compare(header, start.matched, start.matched + n, 0, n) !== 0) {
      this.#decide(worker, block);
      return [...start.held, chunk];
    }
    start.matched += n;
    if (start.matched < header.length) {
      start.held.push(chunk);
      starts.set(block, start);
      return [];
    }
    this.#decide(worker, block);
    this.#write(worker);
    return n < chunk.length ? [chunk.subarray(n)] : [];
  }

  /** The output ended (its block is done, its instance ended well): what it held back. */
  end(worker: Worker, block: Block | null): Buffer[] {
    const held = this.#starts.get(worker)?.get(block)?.held ?? [];
    this.forget(worker, block);
    return held;
  }

  /** The output failed: what it held is no output, and a try again starts afresh. */
  forget(worker: Worker, block: Block | null): void {
    this.#starts.get(worker)?.delete(block);
    this.#decided.get(worker)?.delete(block);
  }

  #decide(worker: Worker, block: Block | null): void {
    this.#starts.get(worker)?.delete(block);
    const decided = this.#decided.get(worker) ?? new Set<Block | null>();
    decided.add(block);
    this.#decided.set(worker, decided);
  }
}
