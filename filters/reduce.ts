import { ExitCode, ManifoldError, UsageError } from './errors.js';
import { type KeySpec, keyOf, keyOfValue, parseKeySpec } from './keys.js';

/** The aggregates `mf-reduce` computes per key. */
export const OPERATIONS = ['count', 'sum', 'min', 'max', 'mean'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** A running aggregate: enough to answer any operation. */
export interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export function parseOperation(text: string): Operation {
  if ((OPERATIONS as readonly string[]).includes(text)) return text as Operation;
  throw new UsageError(`operation "${text}" is not one of ${OPERATIONS.join(', ')}`);
}

/** A numeric field is a key spec too; a bare number `3` means `field:3`. */
export function parseValueSpec(text: string, fieldSeparator?: string): KeySpec {
  return parseKeySpec(/^\d+$/.test(text) ? `field:${text}` : text, fieldSeparator, 'field');
}

export function addValue(groups: Map<string, Aggregate>, key: string, value: number): void {
  const aggregate = groups.get(key);
  if (aggregate === undefined) {
    groups.set(key, { count: 1, sum: value, min: value, max: value });
    return;
  }
  aggregate.count++;
  aggregate.sum += value;
  if (value < aggregate.min) aggregate.min = value;
  if (value > aggregate.max) aggregate.max = value;
}

export function resultOf(aggregate: Aggregate, operation: Operation): number {
  switch (operation) {
    case 'count':
      return aggregate.count;
    case 'sum':
      return aggregate.sum;
    case 'min':
      return aggregate.min;
    case 'max':
      return aggregate.max;
    case 'mean':
      return aggregate.sum / aggregate.count;
  }
}

/**
 * How one record becomes a key and a number. Keys from bytes are kept as latin1 strings, which
 * keep every byte and sort in byte order; keys from JSON are UTF-8 text.
 */
export interface Extractor {
  keyEncoding: 'latin1' | 'utf8';
  /** Returns the key and the value of a record, or throws a message naming what was wrong. */
  extract(record: Buffer): [string, number];
}

/** How a parsed JSON record becomes a key and a number, for a json: key and value. */
export function createJsonExtractor(
  key: KeySpec,
  value: KeySpec | null,
): (record: unknown) => [string, number] {
  return (record) => [
    keyOfValue(key, record),
    value === null ? 1 : toNumber(keyOfValue(value, record), value),
  ];
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
        return [name, value === null ? 1 : toNumber(keyOfValue(value, parsed), value)];
      },
    };
  }
  return {
    keyEncoding: 'latin1',
    extract(record) {
      const name = keyOf(key, record).toString('latin1');
      if (value === null) return [name, 1];
      const bytes = keyOf(value, record);
      return [name, toNumber(bytes.toString('latin1'), value, bytes)];
    },
  };
}

/** `bytes`: the value's own bytes, shown as UTF-8 in the message (`text` may be their latin1). */
function toNumber(text: string, spec: KeySpec, bytes?: Buffer): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) {
    const where =
      spec.kind === 'field'
        ? `field ${spec.index}`
        : spec.kind === 'json'
          ? `json:${spec.path.join('.')}`
          : 'the record';
    // A record without the field has it empty: `is not a number: ""` read as an empty string.
    throw recordProblem(
      text === ''
        ? `${where} is missing or empty`
        : `${where} is not a number: ${JSON.stringify(bytes?.toString('utf8') ?? text)}`,
    );
  }
  return value;
}

/** An ndjson record, or the problem said as the SDK says it for JSON records. */
function parseRecord(record: Buffer): unknown {
  try {
    return JSON.parse(record.toString('utf8'));
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
