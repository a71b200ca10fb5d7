import { inspect } from 'node:util';
import type { RecordEncoder } from '../framing/encoder.js';
import { recordFailure } from './emit.js';
import { type Batch, SKIP } from './records.js';
import type { FilterContext, FilterSpec, Output, RecordKind } from './types.js';

/**
 * Runs the filter's `batch` over the records of one read at once and hands what it returns to
 * the encoder; a failure names the batch's records. `wait` awaits the filter's own code (a wait
 * a stray error ends: stray.ts).
 */
export async function runBatchHook<S>(
  spec: FilterSpec<RecordKind, S>,
  context: FilterContext<S>,
  encoder: RecordEncoder,
  batch: Batch,
  wait: <T>(work: T | PromiseLike<T>) => Promise<T>,
): Promise<void> {
  const { first } = batch;
  let records = batch.records;
  if (records.length === 0) return;
  if (records.includes(SKIP)) records = records.filter((record) => record !== SKIP);
  context.recordNumber = first;
  let outputs: Output[];
  try {
    outputs = await wait(spec.batch!(records as never[], context));
    // Iterating anything else said "outputs is not iterable", with no record.
    if (!Array.isArray(outputs)) {
      throw new TypeError(
        `batch returned ${inspect(outputs, { depth: 0, breakLength: Number.POSITIVE_INFINITY })}, not an array of records`,
      );
    }
  } catch (error) {
    const last = first + batch.records.length - 1;
    throw recordFailure(context, error, ` (in the batch of records ${first}-${last})`);
  }
  // Each element is one record, as filters.md says: an array element is one JSON record (it
  // was spread, as a transform's array is: `[id, count]` written as two records).
  try {
    for (const output of outputs) if (output !== undefined && output !== null) encoder.add(output);
  } catch (error) {
    throw recordFailure(context, error);
  }
}
