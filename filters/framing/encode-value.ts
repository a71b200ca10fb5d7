import { describeError, ExitCode, ManifoldError, oneLine } from '../errors.js';

// What an output record that is no bytes is written as, and the errors of a record an output
// cannot take: the encoder's (encoder.ts).

/** A non-string, non-Buffer output record: JSON, so numbers print as numbers and objects as JSON. */
export function encodeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw notJson(error);
  }
  if (text === undefined) {
    const kind = typeof value;
    const article = kind === 'object' || kind === 'undefined' ? 'an' : 'a';
    throw new TypeError(`cannot write ${article} ${kind} as a record`);
  }
  return text;
}

/**
 * Why a value has no JSON, in one line that the record's position goes before. V8 says a
 * circular value in several lines ("Converting circular structure to JSON\n    --> starting
 * at ..."): only its last, the property that closes the circle, is kept.
 */
function notJson(error: unknown): ManifoldError {
  const said = describeError(error);
  let why = oneLine(said);
  if (said.includes('circular structure')) {
    const closing = /--- (.+ closes the circle)/.exec(said)?.[1];
    why = `it refers to itself${closing === undefined ? '' : ` (${closing})`}`;
  }
  return new ManifoldError('manifold.record', `cannot write the result as JSON: ${why}`, {
    exitCode: ExitCode.failure,
    cause: error,
  });
}

/**
 * A record the output's framing cannot hold: manifold's own error, said as it is (a RangeError
 * was said with its class, `RangeError: the record does not begin with ">"`).
 */
export function outputRecordError(message: string): ManifoldError {
  return new ManifoldError('manifold.record', message, { exitCode: ExitCode.failure });
}
