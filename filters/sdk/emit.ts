import { describeError, oneLine, RecordError } from '../errors.js';
import type { RecordEncoder } from '../framing/encoder.js';
import { StrayError } from './stray.js';
import type { FilterContext, Output } from './types.js';

// What the record loop (loop.ts) does with what a filter returned or threw.

/** Writes what a transform returned: nothing, one record, or each element of an array. */
export function emit(
  output: Output,
  encoder: RecordEncoder,
  context: FilterContext<unknown>,
): void {
  if (output === undefined || output === null) return;
  try {
    if (Array.isArray(output)) {
      for (const item of output) if (item !== undefined && item !== null) encoder.add(item);
    } else {
      encoder.add(output);
    }
  } catch (error) {
    throw recordFailure(context, error);
  }
}

/**
 * What a transform threw, or an output that could not be written, as its record's one line; a
 * stray error (stray.ts) as it is, since it belongs to no record.
 */
export function recordFailure(
  context: FilterContext<unknown>,
  error: unknown,
  where = '',
): RecordError | StrayError {
  if (error instanceof RecordError || error instanceof StrayError) return error;
  return new RecordError(
    { input: context.input, record: context.recordNumber },
    `${oneLine(describeError(error))}${where}`,
    { cause: error },
  );
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value instanceof Promise || typeof (value as { then?: unknown }).then === 'function')
  );
}
