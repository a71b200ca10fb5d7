import type { Block } from './block.js';
import type { ReadonlyInFlight } from './block-queue.js';
import type { InputHeader } from './header.js';
import type { InputGiven, OutputFailure } from './relay.js';
import type { TermSeq } from './termseq.js';
import type { EndDetails, StopReason } from './transport.js';

/**
 * How output is tied to the blocks that produced it:
 * - `none`: not at all (persistent workers, output merged as it comes);
 * - `per-block`: a fresh worker per block, so all it writes belongs to that block;
 * - `one-to-one`: persistent workers that write one output record per input record;
 * - `protocol`: persistent SDK filters that frame their output per block (`--protocol manifold`).
 */
export type Attribution = 'none' | 'per-block' | 'one-to-one' | 'protocol';

/**
 * How a worker's instance ended, as the engine needs to know it. As the transport said
 * (`TransportOutcome`), except that one which ended well with blocks unanswered has `failed` them
 * (`unanswered`), and a failure names the instance for messages (`worker`).
 */
export type WorkerOutcome =
  | { kind: 'ok'; details?: EndDetails }
  | {
      kind: 'failed';
      /** The instance, as its transport describes it: `worker 2 (pid 4121: awk ...)`. */
      worker: string;
      /** How it ended: `exited with status 3`, `was killed by SIGKILL`. */
      reason: string;
      retryable: boolean;
      /** What it runs does not exist or cannot be run: the run's status is then 127. */
      notFound?: boolean;
      /**
       * What it runs cannot serve this fan at all (no SDK filter under --protocol manifold): no
       * block fares better again, the run stops, and its status is a usage error's (2).
       */
      misfit?: boolean;
      /** It ended well, but before it had answered every block it was given. */
      unanswered?: boolean;
      /**
       * The blocks it had finished whose aggregate its flush was to write (a filter with one):
       * lost with it, and not given to a fresh instance by its unfinished blocks' retry.
       */
      heldFor?: number;
      details?: EndDetails;
    }
  | { kind: 'stopped'; details?: EndDetails }
  | { kind: 'cannot-start'; reason: string; details?: EndDetails };

/** What a worker reports to the engine. */
export interface WorkerListener {
  /** Output bytes not tied to a block (attribution `none`). */
  onOutput(worker: Worker, chunk: Buffer): void;
  /** Output bytes of a block. */
  onBlockOutput(worker: Worker, block: Block, chunk: Buffer): void;
  /** All output of a block has arrived. */
  onBlockDone(worker: Worker, block: Block): void;
  /**
   * Output written after the last block (an aggregate's flush); `after`, where known: the
   * instance that wrote it (`worker 2 (pid 4121: awk ...)`) and the last block it finished.
   */
  onTrailingOutput(
    worker: Worker,
    chunk: Buffer,
    after?: { instance: string; block?: Block },
  ): void;
  /** The worker can take another block. */
  onReady(worker: Worker): void;
  /** An instance of the worker has ended, with the blocks it had not finished. */
  onExit(worker: Worker, end: WorkerOutcome, unfinished: Block[]): void;
  /**
   * Its output, written to manifold's stdout by its kind's helper (relayed), failed; `block`:
   * the block whose output it was, where an instance runs one block (per-block workers).
   */
  onOutputFailed?(worker: Worker, failure: OutputFailure, block?: Block): void;
  /** What it was given of the input its kind's helper took (`RelaySpec.takesInput`). */
  onInputGiven?(worker: Worker, given: InputGiven): void;
  /** Its output is no longer read (`pause`: `paused` true), or is read again. */
  onPaused?(worker: Worker, paused: boolean): void;
}

/**
 * A worker takes blocks and gives back output: attribution (`attribution/`) over a transport
 * (a local process today; threads, remote hosts or a queue behind the same interface).
 */
export interface Worker {
  /** 1-based worker number, as shown by --tag and in messages. */
  readonly slot: number;
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
  stop(reason: StopReason): void;
  /**
   * Kills the running instance as failed, for `reason` (`timed out after 300ms`): its
   * unfinished blocks fail as with any failure, to be retried or lost. Ended as `seq` says.
   */
  abandon(reason: string, seq: TermSeq): void;
  /** Makes an ended or failed worker take blocks again (a fresh instance), for retries. */
  restart(): void;
  /** Blocks given and not yet finished. */
  readonly inFlight: ReadonlyInFlight;
  /** The process ids its transport has run, newest last; none for transports of no processes. */
  processIds(): number[];
  /**
   * Who made `block`'s output (or, with none, output not tied to a block), for messages, where
   * that is not this worker's slot here (a queue's worker on another machine: `job "J": queue
   * worker on HOST: worker 2`; a slot on a host: `host h1: worker 2`); undefined where it is
   * (`worker 1`).
   */
  outputMaker?(block?: Block): string | undefined;
}

/**
 * A kind whose output is tied to blocks where the work is done, not here (a queue's workers
 * publish each block's output on its own): it gives the engine each slot's `Worker` whole, with
 * no attribution over a transport. Its blocks' bytes, failures and retries are its own.
 */
export interface AttributedKind {
  /** Refuses, before anything starts, a fan this kind cannot run (throws a UsageError). */
  check?(workers: number, stderrPiped: boolean): void;
  /** `header`: the input's (--header), filled in before the first block is sent. */
  openWorker(slot: number, listener: WorkerListener, header?: InputHeader): Worker;
}
