import type { Block } from '../workers/block.js';
import type { InputHeader } from '../workers/header.js';
import type { Worker } from '../workers/types.js';
import type { Collector, Emit } from './collect.js';

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
  readonly #input: InputHeader;
  #header: Buffer | null = null;
  readonly #write: (worker: Worker, header: Buffer) => void;
  /** Outputs whose start is not decided yet, by worker and block (null: not tied to blocks). */
  readonly #starts = new Map<Worker, Map<Block | null, Start>>();
  /** Outputs decided, that pass as they come. */
  readonly #decided = new Map<Worker, Set<Block | null>>();

  /** `input` is filled in before the first block is sent: output before that passes as it is. */
  constructor(input: InputHeader, write: (worker: Worker, header: Buffer) => void) {
    this.#input = input;
    this.#write = write;
  }

  /** Output of `block` (null: not tied to a block): what may go on now, the header taken off. */
  pass(worker: Worker, block: Block | null, chunk: Buffer): Buffer[] {
    if (this.#input.records === 0 || this.#decided.get(worker)?.has(block)) return [chunk];
    this.#header ??= Buffer.concat(this.#input.parts);
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
    this.#write(worker, header);
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

/**
 * A merge's collector with --header's output rule in front: each output's leading copy of the
 * header is taken off, and the header written once, first, if nothing was written before it.
 */
export function withHeader(
  make: (emit: Emit) => Collector,
  emit: Emit,
  input: InputHeader,
): Collector {
  let wrote = false;
  const inner = make((worker, parts, block) => {
    wrote = true;
    emit(worker, parts, block);
  });
  // The copy written is no worker's, whichever echoed it first: untagged by a worker's number.
  const header = new HeaderOutput(input, (_worker, bytes) => {
    if (wrote) return;
    wrote = true;
    emit(null, [bytes]);
  });
  return {
    output: (worker, chunk) => {
      for (const part of header.pass(worker, null, chunk)) inner.output(worker, part);
    },
    blockOutput: (worker, block, chunk) => {
      for (const part of header.pass(worker, block, chunk)) inner.blockOutput(worker, block, part);
    },
    blockDone: (worker, block) => {
      for (const part of header.end(worker, block)) inner.blockOutput(worker, block, part);
      inner.blockDone(worker, block);
    },
    blockFailed: (worker, block) => {
      header.forget(worker, block);
      inner.blockFailed(worker, block);
    },
    blockLost: (worker, block, halting) => {
      header.forget(worker, block);
      inner.blockLost(worker, block, halting);
    },
    trailing: (worker, chunk) => inner.trailing(worker, chunk),
    // A persistent instance's output, when not tied to blocks: dropped if it failed, passed on
    // (what it held back) when it ended well.
    workerFailed: (worker) => {
      header.forget(worker, null);
      inner.workerFailed(worker);
    },
    workerEnded: (worker) => {
      for (const part of header.end(worker, null)) inner.output(worker, part);
      inner.workerEnded(worker);
    },
    mayStart: (block) => inner.mayStart(block),
    finish: () => inner.finish(),
    ...(inner.abort && { abort: () => inner.abort!() }),
  };
}
