import type { RecordEncoder } from '../framing/encoder.js';
import { parseJsonText } from '../json-text.js';
import { runBatchHook } from './batch.js';
import { emit, isThenable, recordFailure } from './emit.js';
import { type Batch, SKIP } from './records.js';
import type { StrayErrors } from './stray.js';
import { FLUSH_AT, TextStep } from './text-step.js';
import type { FilterContext, FilterSpec, Output, RecordKind } from './types.js';

/**
 * Runs a filter's transform (or batch) over the records of each read and hands the results to
 * the encoder. The loop over records is synchronous until a transform returns a promise: an
 * `await` inside the hot loop would cost more than the transform itself for simple filters.
 * Records returned unchanged inside the batch's span are not encoded one by one: they are
 * counted, and each run of them is written as one slice of the input.
 */
export class RecordLoop<S> {
  readonly #spec: FilterSpec<RecordKind, S>;
  readonly #context: FilterContext<S>;
  readonly #encoder: RecordEncoder;
  readonly #flushOutput: () => Promise<void>;
  readonly #encoded: (first: Buffer, last: Buffer) => Buffer;
  readonly #stray: StrayErrors;
  /** Set by `#step` when a transform returned a promise: await it, then go on. */
  #pending: PromiseLike<unknown> | null = null;
  /** Set by `#step` when enough output waits to be written first. */
  #flushDue = false;
  /** In `#step`, where the open run of records returned unchanged begins; -1 when none is. */
  #run = -1;
  /** The fast path for text results (text-step.ts); null without a transform. */
  readonly #text: TextStep | null;
  /** The batch being transformed. */
  #batch: Batch | null = null;

  constructor(
    spec: FilterSpec<RecordKind, S>,
    context: FilterContext<S>,
    encoder: RecordEncoder,
    flushOutput: () => Promise<void>,
    encoded: (first: Buffer, last: Buffer) => Buffer,
    stray: StrayErrors,
  ) {
    this.#spec = spec;
    this.#context = context;
    this.#encoder = encoder;
    this.#flushOutput = flushOutput;
    this.#encoded = encoded;
    this.#stray = stray;
    this.#text =
      spec.transform === undefined
        ? null
        : new TextStep(spec.transform, context, encoder, (batch, i, output) =>
            this.#emitAt(batch, i, output),
          );
  }

  /** Transforms the batch's records, then throws the error that ended the batch, if any. */
  async run(batch: Batch): Promise<void> {
    await this.#runRecords(batch);
    if (batch.failure !== null) throw batch.failure;
  }

  async #runRecords(batch: Batch): Promise<void> {
    if (this.#spec.batch) {
      const wait = <T>(work: T | PromiseLike<T>) => this.#awaitFilter(work);
      return runBatchHook(this.#spec, this.#context, this.#encoder, batch, wait);
    }
    this.#batch = batch;
    let i = 0;
    let text = this.#encoder.joinsText && batch.originals.length === 0 && !!this.#spec.transform;
    while (i < batch.records.length) {
      if (text) {
        const stop = this.#text!.run(batch, i);
        i = stop.next;
        this.#pending = stop.pending;
        this.#flushDue = stop.flushDue;
        text = this.#flushDue;
      } else {
        i = this.#step(batch, i);
      }
      if (this.#pending !== null) {
        const pending = this.#pending;
        this.#pending = null;
        let output: unknown;
        this.#stray.beginWait();
        try {
          output = await pending;
        } catch (error) {
          throw recordFailure(this.#context, error);
        } finally {
          this.#stray.endWait();
        }
        this.#stray.check();
        this.#emitAt(batch, i, output);
        i++;
      } else if (this.#flushDue) {
        this.#flushDue = false;
        await this.#flushOutput();
      }
    }
    this.#batch = null;
  }

  /** Writes what `flush` returns. */
  async flush(count: number): Promise<void> {
    if (!this.#spec.flush) return;
    this.#context.recordNumber = count;
    emit(await this.#awaitFilter(this.#spec.flush(this.#context)), this.#encoder, this.#context);
  }

  /** What the filter's code returned, awaited as a wait a stray error ends (stray.ts). */
  async #awaitFilter<T>(work: T | PromiseLike<T>): Promise<T> {
    this.#stray.beginWait();
    try {
      return await work;
    } finally {
      this.#stray.endWait();
      this.#stray.check();
    }
  }

  /**
   * Hands the encoder what is done but still held, when the filter exits in the middle of a
   * step (`process.exit()` from a transform): the texts collected, and the open run of records
   * returned unchanged up to the record being transformed, which is not done.
   */
  salvage(): void {
    this.#text?.addTexts();
    const batch = this.#batch;
    if (batch !== null) this.#closeRun(batch, this.#context.recordNumber - batch.first - 1);
  }

  /** Transforms records from `from` on; returns where it stopped (see `#pending`, `#flushDue`). */
  #step(batch: Batch, from: number): number {
    const { records, first, spanStart, originals } = batch;
    const transform = this.#spec.transform;
    const context = this.#context;
    const encoder = this.#encoder;
    // Only records with invalid UTF-8 have originals; without them, a string result needs no
    // identity test. (=== on two strings compares characters: too dear to do for nothing.)
    const hasOriginals = originals.length > 0;
    this.#run = -1;
    for (let i = from; i < records.length; i++) {
      const record = records[i];
      if (record === SKIP) {
        this.#closeRun(batch, i - 1);
        continue;
      }
      let output: Output = record;
      if (transform !== undefined) {
        context.recordNumber = first + i;
        try {
          output = transform(record as never, context);
        } catch (error) {
          this.#closeRun(batch, i - 1);
          throw recordFailure(context, error);
        }
        if (typeof output === 'string') {
          this.#closeRun(batch, i - 1);
          // In ndjson output a string is a JSON string, whatever bytes it was read from (a text
          // record's original bytes, not UTF-8, were written raw: no JSON at all).
          const original =
            hasOriginals && output === record && !encoder.json ? originals[i] : undefined;
          try {
            if (original !== undefined) encoder.addOriginal(original);
            else encoder.addString(output);
          } catch (error) {
            throw recordFailure(context, error);
          }
          if ((i & 255) === 255 && encoder.pending > FLUSH_AT) {
            this.#flushDue = true;
            return i + 1;
          }
          continue;
        }
        if (output !== record && isThenable(output)) {
          this.#closeRun(batch, i - 1);
          this.#pending = output;
          return i;
        }
      }
      if (output === record && i >= spanStart) {
        if (this.#run < 0) this.#run = i;
        continue;
      }
      this.#closeRun(batch, i - 1);
      this.#emitAt(batch, i, output);
      if ((i & 255) === 255 && encoder.pending > FLUSH_AT) {
        this.#flushDue = true;
        return i + 1;
      }
    }
    this.#closeRun(batch, records.length - 1);
    return records.length;
  }

  /**
   * Writes the run of records returned unchanged that ends at `to`, if one is open, as one slice
   * of the input; an error is its first record's to report.
   */
  #closeRun(batch: Batch, to: number): void {
    const from = this.#run;
    if (from < 0) return;
    this.#run = -1;
    try {
      this.#encoder.addEncoded(
        this.#encoded(batch.records[from] as Buffer, batch.records[to] as Buffer),
      );
    } catch (error) {
      this.#context.recordNumber = batch.first + from;
      throw recordFailure(this.#context, error);
    }
  }

  /**
   * Writes the output for record `i`: its original bytes when it came back unchanged. A JSON
   * object or array returned as itself is the record, written with its original text while its
   * value is unchanged, else as JSON (an array too, as one record): a transform that sets a
   * field of `r` and returns `r` has its change written.
   */
  #emitAt(batch: Batch, i: number, output: unknown): void {
    const original = output === batch.records[i] ? batch.originals[i] : undefined;
    if (original === undefined) {
      emit(output, this.#encoder, this.#context);
      return;
    }
    try {
      // Its text spans lines (read from nul or frames): in ndjson output, written anew.
      if (sameJsonValue(output, original) && this.#encoder.holdsAsIs(original))
        this.#encoder.addOriginal(original);
      else this.#encoder.add(output);
    } catch (error) {
      throw recordFailure(this.#context, error);
    }
  }
}

/**
 * Whether a value returned as itself still has the value of its original JSON text. A string or
 * number cannot change; an object or array can, in place. Compared as JSON.stringify writes them:
 * once against the text (the same for compact ndjson), then against the text parsed again (for
 * spaces, `1.0`, digits past a double's). A value that has no JSON is changed: the encoder reports it.
 */
function sameJsonValue(output: unknown, original: Buffer | string): boolean {
  if (typeof output !== 'object' || output === null) return true;
  const text = typeof original === 'string' ? original : original.toString('utf8');
  let now: string;
  try {
    now = JSON.stringify(output);
  } catch {
    return false;
  }
  return now === text || now === JSON.stringify(parseJsonText(text));
}
