import { isDeepStrictEqual } from 'node:util';
import { UsageError } from '../errors.js';
import { viewOf } from '../framing/view.js';
import { parseJsonText } from '../json-text.js';
import { type Bounds, fieldBounds, type KeySpec, keyOfValue, parseJsonRecord } from '../keys.js';
import type { Table } from './open.js';

/** How a join treats records: keep matches, keep all, keep those without a match. */
export type JoinMode = 'inner' | 'left' | 'anti';

/** A join of records with a table, as `mf-join` sets it up. */
export interface JoinOptions {
  table: Table;
  key: KeySpec;
  mode: JoinMode;
  /** Between a record and its value, in byte output. */
  separator: Buffer;
  /** The field a JSON record gets the value in; `null` merges an object value into the record. */
  as: string | null;
}

/**
 * The join of byte records (lines, nul, delim:, frames, ...): a matched record is written as
 * the record, the separator and the value, once per value of the key; a record with no match
 * is dropped (inner) or kept as it is (left, anti). The key is a view of the record: no copy,
 * no string, on the way to the lookup.
 */
export function joinBytes(options: JoinOptions): (record: Buffer) => unknown {
  const { table, key, mode, separator } = options;
  const bounds: Bounds = { start: 0, end: 0 };
  const all = table.meta.duplicates === 'all';
  const keyOf =
    key.kind === 'whole'
      ? (record: Buffer) => record
      : key.kind === 'field'
        ? (record: Buffer) => {
            fieldBounds(record, 0, record.length, key.index, key.separator, bounds);
            return viewOf(record, bounds.start, bounds.end - bounds.start);
          }
        : (record: Buffer) => Buffer.from(keyOfValue(key, parseJsonRecord(record)));
  return (record) => {
    const value = table.get(keyOf(record));
    if (value === undefined) return mode === 'inner' ? undefined : record;
    if (mode === 'anti') return undefined;
    if (!all) return joined(record, separator, value);
    return table.getAll(keyOf(record)).map((each) => joined(record, separator, each));
  };
}

/**
 * One output record: the record, the separator and the value, in one Buffer. `set`, not
 * `Buffer#copy` (which checks its arguments in JavaScript, then calls `set`); a one-byte
 * separator is stored, not copied.
 */
function joined(record: Buffer, separator: Buffer, value: Buffer): Buffer {
  const at = record.length + separator.length;
  const out = Buffer.allocUnsafe(at + value.length);
  out.set(record, 0);
  if (separator.length === 1) out[record.length] = separator[0]!;
  else out.set(separator, record.length);
  out.set(value, at);
  return out;
}

/**
 * The join of ndjson records: a matched record gets the value (parsed as JSON, or as a string
 * when it is not JSON) in field `as`, or merged into it when `as` is null and the value is an
 * object. Left records without a match get `as: null`, or stay as they were.
 */
export function joinJson(options: JoinOptions): (record: unknown) => unknown {
  const { table, key, mode, as } = options;
  const all = table.meta.duplicates === 'all';
  // The table's own key field (`id` of json:id) holds the key the record matched by: a record
  // field of that name with another value keeps its own, nothing of the table's lost.
  const keyField = /^json:([^.]+)$/.exec(table.meta.key)?.[1] ?? null;
  return (record) => {
    const text = keyOfValue(key, record);
    const value = table.get(text);
    if (value === undefined) {
      if (mode !== 'left' || as === null) return mode === 'inner' ? undefined : record;
      return { ...objectOf(record), [as]: null };
    }
    if (mode === 'anti') return undefined;
    if (!all) return merged(record, parseValue(value), as, text, keyField);
    return table.getAll(text).map((each) => merged(record, parseValue(each), as, text, keyField));
  };
}

function parseValue(value: Buffer): unknown {
  const text = value.toString('utf8');
  try {
    return parseJsonText(text);
  } catch {
    return text;
  }
}

function merged(
  record: unknown,
  value: unknown,
  as: string | null,
  key: string,
  keyField: string | null,
): unknown {
  if (as !== null) return { ...objectOf(record), [as]: value };
  if (!isObject(value)) {
    throw new UsageError(
      `the value of key "${key}" is not an object to merge: name a field with --as`,
    );
  }
  const own = objectOf(record) as Record<string, unknown>;
  let keptOwn = false;
  for (const [field, given] of Object.entries(value)) {
    if (!Object.hasOwn(own, field) || isDeepStrictEqual(own[field], given)) continue;
    if (field === keyField) {
      keptOwn = true;
      continue;
    }
    // Any other field the record has with another value would be lost under the table's.
    throw new UsageError(
      `the value of key "${key}" has field ${JSON.stringify(field)}, which the record has with another value: name a field with --as`,
    );
  }
  const out = { ...own, ...value };
  if (keptOwn) out[keyField!] = own[keyField!];
  return out;
}

function objectOf(record: unknown): object {
  if (isObject(record)) return record;
  throw new UsageError('the record is not a JSON object to add the value to');
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
