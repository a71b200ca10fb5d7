import { describePath } from './path.js';

// A config's data by path: what the schema check reads beside Ajv's errors, and how it names it.

export function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((step) => (/^\d+$/.test(step) ? Number(step) : step));
}

/**
 * The paths of the values YAML read as null: a key with nothing after it (`retries:`), `~`,
 * `null`, an empty list item. No key of the schema takes one.
 */
export function emptyValues(data: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (data === null) return [path];
  if (Array.isArray(data)) return data.flatMap((item, i) => emptyValues(item, [...path, i]));
  if (typeof data !== 'object') return [];
  return Object.entries(data as object).flatMap(([key, value]) =>
    emptyValues(value, [...path, key]),
  );
}

/** Every string in `data`, with its path: a number the schema makes of one is checked after. */
export function textsOf(
  data: unknown,
  path: (string | number)[] = [],
): [(string | number)[], string][] {
  if (typeof data === 'string') return [[path, data]];
  if (Array.isArray(data)) return data.flatMap((item, i) => textsOf(item, [...path, i]));
  if (data === null || typeof data !== 'object') return [];
  return Object.entries(data as object).flatMap(([key, value]) => textsOf(value, [...path, key]));
}

/** Every true and false in `data`, with its path. */
export function booleansOf(
  data: unknown,
  path: (string | number)[] = [],
): [(string | number)[], boolean][] {
  if (typeof data === 'boolean') return [[path, data]];
  if (Array.isArray(data)) return data.flatMap((item, i) => booleansOf(item, [...path, i]));
  if (data === null || typeof data !== 'object') return [];
  return Object.entries(data as object).flatMap(([key, value]) =>
    booleansOf(value, [...path, key]),
  );
}

/** A command, or a word of one: `run`, a fan's `worker`, a join, a filter's `args`. */
const COMMAND_KEYS = new Set(['run', 'worker', 'join', 'args']);
export const isCommandWord = (path: (string | number)[]) =>
  COMMAND_KEYS.has(String(path.at(-1))) ||
  (typeof path.at(-1) === 'number' && COMMAND_KEYS.has(String(path.at(-2))));

export function valueAt(data: unknown, path: (string | number)[]): unknown {
  let value = data;
  for (const step of path) value = (value as Record<string | number, unknown> | null)?.[step];
  return value;
}

/** A data path as Ajv's instancePath (a JSON Pointer). */
export const pointerOf = (path: (string | number)[]) =>
  path.map((step) => `/${String(step).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** `"retries"` for a key's value, `stages[0].input[1]` for a list's item, as messages name them. */
export function nameOf(path: (string | number)[]): string {
  if (path.length === 0) return 'the config';
  return typeof path.at(-1) === 'number' ? describePath(path) : `"${path.at(-1)}"`;
}
