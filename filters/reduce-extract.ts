import { ExitCode, ManifoldError } from './errors.js';
import { parseJsonText } from './json-text.js';
import { type KeySpec, keyOf, keyOfValue, valueAt } from './keys.js';
import type { Value } from './reduce.js';

// mf-reduce's reading of a record: its key and its number (reduce.ts keeps the aggregates).

/**
 * How one record becomes a key and a number. Keys from bytes are kept as latin1 strings, which
 * keep every byte and sort in byte order; keys from JSON are UTF-8 text.
 */
export interface Extractor {
  keyEncoding: 'latin1' | 'utf8';
  /**
   * Returns the key, the value and its text of a record, or throws a message naming what was
   * wrong.
   */
  extract(record: Buffer): [string, Value, string];
}

/** How a parsed JSON record becomes a key and a number, for a json: key and value. */
export function createJsonExtractor(
  key: KeySpec,
  value: KeySpec | null,
): (record: unknown) => [string, Value, string] {
  return (record) => {
    if (value === null) return [keyOfValue(key, record), 1, '1'];
    return [keyOfValue(key, record), ...numberAt(value, record)];
  };
}

export function createExtractor(key: KeySpec, value: KeySpec | null): Extractor {
  const json = key.kind === 'json' || value?.kind === 'json';
  if (json) {
    // A whole record or a field as the key keeps its bytes (latin1), as without JSON values: a
    // field of the record as read, not of the JSON written again.
    const bytes = key.kind !== 'json';
    return {
      keyEncoding: bytes ? 'latin1' : 'utf8',
      extract(record) {
        const parsed = parseRecord(record);
        const name = bytes ? keyOf(key, record).toString('latin1') : keyOfValue(key, parsed);
        if (value === null) return [name, 1, '1'];
        return [name, ...numberAt(value, parsed)];
      },
    };
  }
  return {
    keyEncoding: 'latin1',
    extract(record) {
      const name = keyOf(key, record).toString('latin1');
      if (value === null) return [name, 1, '1'];
      const bytes = keyOf(value, record);
      const text = bytes.toString('latin1');
      return [name, toNumber(text, value, bytes), text];
    },
  };
}

/**
 * A value of a parsed record and its text: a JSON number as JSON.parse read it, a double (past
 * 2^53 too, as binaries.md says: no key, so no refusal); anything else read from its text.
 */
function numberAt(spec: KeySpec, parsed: unknown): [Value, string] {
  const found = spec.kind === 'json' ? valueAt(parsed, spec.path) : undefined;
  if (typeof found !== 'number') {
    const text = keyOfValue(spec, parsed);
    return [toNumber(text, spec), text];
  }
  // 1E400 reads as Infinity: out of range, as the same digits in a field are.
  if (!Number.isFinite(found))
    throw recordProblem(
      `${whereOf(spec)} is out of range (past a double's largest, ${Number.MAX_VALUE}): read as ${found}`,
    );
  const text = String(found);
  return [toNumber(text, spec), text];
}

function whereOf(spec: KeySpec): string {
  if (spec.kind === 'field') return `field ${spec.index}`;
  return spec.kind === 'json' ? `json:${spec.path.join('.')}` : 'the record';
}

/** `bytes`: the value's own bytes, shown as UTF-8 in the message (`text` may be their latin1). */
function toNumber(text: string, spec: KeySpec, bytes?: Buffer): Value {
  const value = NUMBER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) {
    const where = whereOf(spec);
    const shown = JSON.stringify(bytes?.toString('utf8') ?? text);
    // A record without the field has it empty: `is not a number: ""` read as an empty string.
    throw recordProblem(
      text === ''
        ? `${where} is missing or empty`
        : Number.isNaN(value)
          ? `${where} is not a number: ${shown}`
          : `${where} is out of range (past a double's largest, ${Number.MAX_VALUE}): ${shown}`,
    );
  }
  // Digits past 2^53 are read exactly: a double would round them.
  if (!Number.isSafeInteger(value) && DIGITS.test(text)) return BigInt(text);
  return value;
}

// A number as awk (POSIX strtod) reads one, in decimal only: a sign, digits with or without a
// fraction (`5.`, `.5`), an exponent, C's blanks around it. Not JavaScript's Number() grammar,
// which also reads `0x10` as 16, `0b1`, `0o7` and `Infinity`; nor awk's leniency, which reads a
// number's start (`12abc` as 12, `x` as 0): a value that is not all a number stops the filter.
const NUMBER = /^[ \t\n\v\f\r]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[ \t\n\v\f\r]*$/;

/** An integer in digits, blanks around it allowed, as NUMBER allows them. */
const DIGITS = /^[ \t\n\v\f\r]*[+-]?\d+[ \t\n\v\f\r]*$/;

/** An ndjson record, or the problem said as the SDK says it for JSON records. */
function parseRecord(record: Buffer): unknown {
  try {
    return parseJsonText(record.toString('utf8'));
  } catch (error) {
    throw recordProblem(`invalid JSON: ${(error as Error).message}`);
  }
}

/**
 * A record's problem in mf-reduce's own words: a manifold error, so that the record's line says
 * the message alone (`stdin:2: field 2 is not a number: "two"`), not `Error: ` before it.
 */
function recordProblem(message: string): ManifoldError {
  return new ManifoldError('manifold.record', message, { exitCode: ExitCode.failure });
}
