/**
 * What passes between manifold and a kind's own helper that does part of the fan's I/O itself
 * (the process kind's Python starter): output it relays to manifold's stdout in whole records
 * (`TransportFactory.openRelayed`), input it takes and cuts for the workers
 * (`WorkerKind.takeInput`), and what it says of either.
 */

/** A piece of the input given to an instance: its number (0-based), offset and size. */
export interface InputPiece {
  seq: number;
  offset: number;
  bytes: number;
}

/** The pieces of the input an instance was given by its side: how many, the first and last. */
export interface InputGiven {
  pieces: number;
  first: InputPiece;
  last: InputPiece;
}

/**
 * Output written to manifold's stdout by the worker's side (`TransportFactory.openRelayed`) that
 * failed: its reader is gone (`closed`), it could not be written (`error`), or a record of it is
 * longer than --max-record (`record`, of `bytes` so far).
 */
export type OutputFailure =
  | { kind: 'closed' }
  | { kind: 'error'; code: string }
  | { kind: 'record'; bytes: number };

/** Input a kind's helper is taking (`WorkerKind.takeInput`). */
export interface TakingInput {
  /** Resolves once the input has ended, or failed. */
  ended: Promise<InputEnd>;
  /** No more is wanted (the fan stops, or every worker has ended): the helper stops reading. */
  stop(): void;
}

/**
 * How the input a kind's helper took ended (`WorkerKind.takeInput`): read to its end (`bytes`
 * in all), not readable (`code`: an errno's name; ESPAWNER when the helper is gone), or holding
 * a record over --max-record that starts at its byte `byte` (1-based), `size` bytes so far.
 */
export type InputEnd =
  | { kind: 'ended'; bytes: number }
  | { kind: 'failed'; code: string; message?: string }
  | { kind: 'tooLarge'; byte: number; size: number };

/** How a relayed instance's output is cut into records (`TransportFactory.openRelayed`). */
export interface RelaySpec {
  /** The records' delimiter (one that cannot overlap itself). */
  delimiter: Buffer;
  /** --max-record: a longer record fails the run. */
  maxRecord: number;
  /** Exit statuses after which a last record without its delimiter is written (--ok-status). */
  okStatus: readonly number[];
  /**
   * The kind's side takes manifold's input too (`WorkerKind.takeInput`) and writes the workers'
   * stdin itself: manifold writes nothing to them.
   */
  takesInput?: boolean;
  /**
   * `--merge ordered` of per-block instances: each block's output goes out whole, in the order
   * of the blocks, the next block's as it comes; `memory` is how much of later blocks' output
   * may be held meanwhile (--merge-memory).
   */
  ordered?: { memory: number };
  /** The block an ordered relay's instance runs (`InstanceBlock.number`). */
  block?: number;
}
