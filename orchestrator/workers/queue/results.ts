import type { BlockTry } from '../block.js';

/**
 * How a block ended on the queue, as its results say (and the try that ended it, if said); with
 * the CRC-32 of the block's bytes its worker ran (`input`; none from a worker that says none).
 */
export type BlockResult = (
  | { kind: 'done'; pieces: Buffer[] }
  | { kind: 'failed'; worker: string; reason: string; notFound?: boolean }
) & { tried?: BlockTry | undefined; input?: number | undefined };

/** Who made an answer and from what (the try, the block's checksum), as its message says. */
export type AnswerOf = Pick<BlockResult, 'tried' | 'input'>;

/**
 * The results of a job's blocks as they arrive, over at-least-once delivery: a block may be
 * worked on by two workers (one thought dead, or the coordinator resumed), so its output may
 * come twice. Pieces are kept by attempt; the first attempt whose end arrives is the block's
 * output, and every other attempt's pieces are dropped: each block's output is taken once.
 */
export class ResultBook {
  /** Pieces of attempts not yet ended, by block and attempt. */
  readonly #pending = new Map<number, Map<string, Buffer[]>>();
  /** Blocks whose result is known and not yet taken. */
  readonly #results = new Map<number, BlockResult>();
  /** Blocks whose result has been taken. */
  readonly #taken = new Set<number>();

  /** Bytes held in pieces and results not yet taken. */
  heldBytes = 0;

  piece(seq: number, attempt: string, index: number, payload: Buffer): void {
    if (this.#taken.has(seq) || this.#results.has(seq)) return;
    let attempts = this.#pending.get(seq);
    if (attempts === undefined) {
      attempts = new Map();
      this.#pending.set(seq, attempts);
    }
    let pieces = attempts.get(attempt);
    if (pieces === undefined) {
      pieces = [];
      attempts.set(attempt, pieces);
    }
    // Published once each, in order; a piece sent twice (a publish retried) keeps its place.
    if (pieces[index] === undefined) {
      pieces[index] = payload;
      this.heldBytes += payload.length;
    }
  }

  /**
   * An attempt's end: its pieces are the block's output when it is the first to end and has
   * them all. Returns whether the block now has a result.
   */
  done(seq: number, attempt: string, count: number, of: AnswerOf = {}): boolean {
    if (this.#taken.has(seq) || this.#results.has(seq)) return false;
    const pieces = this.#pending.get(seq)?.get(attempt) ?? [];
    let whole = pieces.length === count;
    for (let i = 0; whole && i < count; i++) whole = pieces[i] !== undefined;
    if (!whole) return false;
    this.#drop(seq, attempt);
    this.#results.set(seq, { kind: 'done', pieces, ...of });
    return true;
  }

  /** The block failed on its last try (its command not found: `notFound`). Returns whether this is news. */
  failed(
    seq: number,
    failure: { worker: string; reason: string; notFound?: boolean },
    of: AnswerOf = {},
  ): boolean {
    if (this.#taken.has(seq) || this.#results.has(seq)) return false;
    this.#drop(seq, null);
    this.#results.set(seq, { kind: 'failed', ...failure, ...of });
    return true;
  }

  /** The block's result, once: null while it has none or when it was taken already. */
  take(seq: number): BlockResult | null {
    const result = this.#results.get(seq);
    if (result === undefined) return null;
    this.#results.delete(seq);
    this.#taken.add(seq);
    if (result.kind === 'done') for (const piece of result.pieces) this.heldBytes -= piece.length;
    return result;
  }

  /** Drops the pieces of every attempt at a block but `kept`'s. */
  #drop(seq: number, kept: string | null): void {
    const attempts = this.#pending.get(seq);
    if (attempts === undefined) return;
    for (const [attempt, pieces] of attempts) {
      if (attempt === kept) continue;
      for (const piece of pieces) if (piece !== undefined) this.heldBytes -= piece.length;
    }
    this.#pending.delete(seq);
  }
}
