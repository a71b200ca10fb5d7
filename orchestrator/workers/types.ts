import type { Block } from './block.js';

/**
 * How output is tied to the blocks that produced it:
 * - `none`: not at all (persistent workers, output merged as it comes);
 * - `per-block`: a fresh worker per block, so all it writes belongs to that block;
 * - `one-to-one`: persistent workers that write one output record per input record;
 * - `protocol`: persistent SDK filters that frame their output per block (`--protocol manifold`).
 */
export type Attribution = 'none' | 'per-block' | 'one-to-one' | 'protocol';

/** Why a worker ended. */
export interface WorkerExit {
  pid: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when manifold stopped it (halt, shutdown): not a failure of the worker's own. */
  stopped: boolean;
  /** Why the process could not be started at all (out of descriptors or processes). */
  startError?: string;
}

/** What a worker reports to the engine. */
export interface WorkerListener {
  /** Output bytes not tied to a block (attribution `none`). */
  onOutput(worker: Worker, chunk: Buffer): void;
  /** Output bytes of a block. */
  onBlockOutput(worker: Worker, block: Block, chunk: Buffer): void;
  /** All output of a block has arrived. */
  onBlockDone(worker: Worker, block: Block): void;
  /** Output written after the last block (an aggregate's flush). */
  onTrailingOutput(worker: Worker, chunk: Buffer): void;
  /** The worker can take another block. */
  onReady(worker: Worker): void;
  /** The worker has ended, with the blocks it had not finished. */
  onExit(worker: Worker, exit: WorkerExit, unfinished: Block[]): void;
}

/**
 * A worker takes blocks and gives back output. Today a local process; the same interface will
 * serve remote hosts, a job queue, or threads.
 */
export interface Worker {
  /** 1-based worker number, as shown by --tag and in messages. */
  readonly slot: number;
  /** The process ids this worker has run, newest last. */
  readonly pids: number[];
  /** Bytes given and not yet taken in by the worker, for dispatch by readiness. */
  readonly backlog: number;
  /** True while the worker would take another block now. */
  readonly ready: boolean;
  /** True once the worker has ended. */
  readonly ended: boolean;
  /** Gives a block. */
  send(block: Block): void;
  /** No more blocks: close the worker's input. */
  end(): void;
  /** Stops reading the worker's output for a reason (backpressure); resumes when none is left. */
  pause(reason: string): void;
  resume(reason: string): void;
  /** Stops the worker and everything it started. */
  stop(signal?: NodeJS.Signals): void;
  /** Makes an ended or failed worker take blocks again (a fresh process), for retries. */
  restart(): void;
  /** Blocks given and not yet finished. */
  readonly inFlight: readonly Block[];
}
