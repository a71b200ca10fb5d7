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
  // A Promise, Map or Set is written `{}` by JSON, its contents lost: said instead. Only where
  // the text has an empty object, so other records cost one search.
  if (typeof value === 'object' && text.includes('{}')) {
    const lost = unwritable(value, '');
    if (lost !== null) throw noJsonFor(lost);
  }
  return text;
}

/** Where in `value` a Promise, Map or Set is (JSON writes each `{}`), and which; or null. */
function unwritable(value: unknown, path: string): { kind: string; path: string } | null {
  if (typeof value !== 'object' || value === null) return null;
  // What JSON writes for an object with toJSON is its own affair.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return null;
  if (value instanceof Promise) return { kind: 'Promise', path };
  if (value instanceof Map) return { kind: 'Map', path };
  if (value instanceof Set) return { kind: 'Set', path };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unwritable(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, inner] of Object.entries(value)) {
    const step = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    const found = unwritable(inner, `${path}${step}`);
    if (found !== null) return found;
  }
  return null;
}

const HINTS: Record<string, string> = {
  Promise: 'await it (an array of them: await Promise.all(...))',
  Map: 'Object.fromEntries(map) is an object JSON writes',
  Set: '[...set] is an array JSON writes',
};

function noJsonFor(lost: { kind: string; path: string }): ManifoldError {
  const where = lost.path === '' ? 'it is' : `${lost.path} is`;
  return new ManifoldError(
    'manifold.record',
    `cannot write the result as JSON: ${where} a ${lost.kind}, which JSON writes as {}: ${HINTS[lost.kind]}`,
    { exitCode: ExitCode.failure },
  );
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
