import type { RecordEncoder } from '../framing/encoder.js';
import { isThenable, recordFailure } from './emit.js';
import type { Batch } from './records.js';
import type { FilterContext, Output } from './types.js';

/** Output waiting past this many bytes is written before the rest of a read is transformed. */
export const FLUSH_AT = 4 * 1024 * 1024;

/** Where a step stopped, and why: a result to await, or enough output to write first. */
export interface Stop {
  next: number;
  pending: PromiseLike<unknown> | null;
  flushDue: boolean;
}

type Transform = (record: never, context: FilterContext<never>) => Output | PromiseLike<Output>;

/**
 * The fast path for text (loop.ts): while every result is a string, collect them and join them
 * in one go, as a hand-written loop would.
 */
export class TextStep {
  readonly #transform: Transform;
  readonly #context: FilterContext<unknown>;
  readonly #encoder: RecordEncoder;
  readonly #emitAt: (batch: Batch, i: number, output: unknown) => void;
  /** The texts collected and not yet handed to the encoder. */
  #texts: string[] | null = null;

  constructor(
    transform: unknown,
    context: FilterContext<unknown>,
    encoder: RecordEncoder,
    emitAt: (batch: Batch, i: number, output: unknown) => void,
  ) {
    this.#transform = transform as Transform;
    this.#context = context;
    this.#encoder = encoder;
    this.#emitAt = emitAt;
  }

  /**
   * Transforms records from `from` on. Stops after enough output to write first (`flushDue`), or
   * after the first result that is not a string, written already, or `pending`; the general
   * loop takes over from there.
   */
  run(batch: Batch, from: number): Stop {
    const { records, first } = batch;
    const transform = this.#transform;
    const context = this.#context;
    const texts: string[] = [];
    this.#texts = texts;
    let length = 0;
    let i = from;
    for (; i < records.length; i++) {
      const record = records[i];
      if (typeof record !== 'string') break;
      context.recordNumber = first + i;
      let output: Output;
      try {
        output = transform(record as never, context as FilterContext<never>) as Output;
      } catch (error) {
        this.addTexts();
        throw recordFailure(context, error);
      }
      if (typeof output !== 'string') {
        this.addTexts();
        if (isThenable(output)) return { next: i, pending: output, flushDue: false };
        this.#emitAt(batch, i, output);
        return { next: i + 1, pending: null, flushDue: false };
      }
      texts.push(output);
      length += output.length;
      if (length > FLUSH_AT) {
        this.addTexts();
        return { next: i + 1, pending: null, flushDue: true };
      }
    }
    this.addTexts();
    return { next: i, pending: null, flushDue: false };
  }

  /** Hands the texts collected to the encoder: also when the filter exits mid-step (salvage). */
  addTexts(): void {
    const texts = this.#texts;
    this.#texts = null;
    if (texts !== null) this.#encoder.addStrings(texts);
  }
}
