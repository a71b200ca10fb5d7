import type { ErrorObject } from 'ajv';
import {
  booleansOf,
  emptyValues,
  isCommandWord,
  nameOf,
  pathOf,
  pointerOf,
  textsOf,
  valueAt,
} from './data-paths.js';
import { fanFlagHint } from './fan-flag-keys.js';
import type { LoadedConfig } from './load.js';
import { describePath } from './path.js';
import { nearest, type Problem } from './problems.js';
import validate from './schema-validator-source.js';

/**
 * A problem the schema found, with the value it is about (a key's name, for a name that cannot
 * be one): the checks after the schema leave that value out, since they would read it. None for
 * an unknown key, which no check reads.
 */
export interface SchemaProblem extends Problem {
  path?: (string | number)[];
}

/** Checks a loaded config against the JSON Schema; every problem, with its position. */
export function checkSchema(config: LoadedConfig): SchemaProblem[] {
  // Found before the schema's coercion makes each null 0, "" or false. An empty file is not a
  // map, as the schema says; what `x-` keys hold is left alone, but where it is merged.
  const empty = (config.data === null ? [] : emptyValues(config.data)).filter(
    (path) => !String(path[0]).startsWith('x-'),
  );
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  const add = (problem: SchemaProblem) => {
    // One place merged into several maps is said once.
    const key = `${problem.line}:${problem.column}:${problem.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(problem);
  };
  for (const path of empty)
    add({
      ...config.where(path),
      path,
      message: `${nameOf(path)} has no value: write one ("" for an empty string), or leave the key out`,
    });
  const texts = config.data === null ? [] : textsOf(config.data);
  const flags = config.data === null ? [] : booleansOf(config.data);
  const valid = validate(config.data);
  const unread = new Set<string>();
  // The coercion also made text of a true or false where only text goes: `queue: true` was
  // the host "true". A command's words are text as written (`run: [test, true]`).
  // And a number of a true or false where a number goes: `retries: true` ran with 1 retry.
  for (const [path, value] of flags) {
    const now = valueAt(config.data, path);
    if (typeof now === 'number') {
      unread.add(pointerOf(path));
      add({
        ...config.where(path),
        path,
        message: `${nameOf(path)} must be a number, not ${value}`,
      });
    }
    if (typeof now !== 'string' || isCommandWord(path)) continue;
    add({
      ...config.where(path),
      path,
      message: `${nameOf(path)} must be a string, not ${value} (quote it, "${value}", if it is one)`,
    });
  }
  // Ajv's coercion read numbers as JavaScript's Number() does: decimal digits only.
  for (const [path, text] of texts) {
    const now = valueAt(config.data, path);
    if (typeof now !== 'number') continue;
    if (!/^-?[0-9]+$/.test(text)) {
      unread.add(pointerOf(path));
      add(notDecimal(config, path, text));
    } else if (!Number.isSafeInteger(now)) {
      // Past 2^53 it rounded (`99999999999999999999` read 1e20): the checks, which refuse such
      // a number, quote it as written, as they quote `workers` and `block`.
      (valueAt(config.data, path.slice(0, -1)) as Record<string | number, unknown>)[path.at(-1)!] =
        text;
    }
  }
  if (valid) return problems;
  // A null's own errors, and a oneOf's above it (`input`'s list), say less than it.
  const nulls = empty.map(pointerOf);
  const ofNull = (error: ErrorObject) =>
    nulls.some(
      (at) =>
        at === error.instancePath ||
        (error.keyword === 'oneOf' && at.startsWith(`${error.instancePath}/`)),
    );
  const errors = (validate.errors ?? []).filter(
    (error) =>
      !isNoise(error, validate.errors!) && !ofNull(error) && !unread.has(error.instancePath),
  );
  // Text that no reading made a number (`1.5`, `1_000`, `three`) is said the same way.
  const textAt = new Map(texts.map(([path, text]) => [pointerOf(path), { path, text }]));
  for (const error of errors) {
    const text = wantsWhole(error) ? textAt.get(error.instancePath) : undefined;
    add(text === undefined ? describe(config, error) : notDecimal(config, text.path, text.text));
  }
  return problems;
}

/** A number key's text that is not decimal digits, naming the variable it came from. */
function notDecimal(config: LoadedConfig, path: (string | number)[], text: string): SchemaProblem {
  return {
    ...config.where(path),
    path,
    message: `${nameOf(path)} must be a whole number in decimal digits, not "${text}"${fromVariable(config, path)}`,
  };
}

/** ` (from "${W}")` when the value at `path` came from a variable, else nothing. */
function fromVariable(config: LoadedConfig, path: (string | number)[]): string {
  const written = config.written(path);
  return written?.includes('${') ? ` (from ${written})` : '';
}

/** Ajv's error that a value is not a whole number (and could be nothing else). */
function wantsWhole(error: ErrorObject): boolean {
  if (error.keyword !== 'type') return false;
  const type = (error.params as { type: string | string[] }).type;
  return (Array.isArray(type) ? type.join(',') : type) === 'integer';
}

/** The errors a `oneOf` gives for each branch it tried are noise next to one clear message. */
function isNoise(error: ErrorObject, all: ErrorObject[]): boolean {
  // An `if`/`then` (a fan's worker, unless it has a queue) says its own failing `then` twice.
  if (error.keyword === 'if') return true;
  // A `propertyNames` failure repeats the name's own error (its pattern), which says more.
  if (error.keyword === 'propertyNames') return true;
  // An empty value says more than that another form wanted another type (`run: ""`, no list).
  if (error.keyword === 'type' && isEmptyAt(error.instancePath, all)) return true;
  // An unknown key says which branch was meant (the map's, the others wanting no map) and more
  // than the oneOf can: `lst` in hosts, `thread` in a worker, with a hint.
  // So does an empty string or list, of the form its type chose (`input: ""`, `input: []`, an
  // item `""`), said as for a key of one form (`output: ""`).
  // So does a bad value inside the map a branch took (`threads: "yes"` in a worker's map).
  if (error.keyword === 'oneOf')
    return all.some(
      (other) =>
        isUnknownKeyOf(other, error) || isEmptyOf(other, error) || isInsideMapOf(other, error),
    );
  const inOneOf = error.schemaPath.includes('/oneOf/');
  if (!inOneOf || error.keyword === 'additionalProperties' || EMPTY.has(error.keyword))
    return false;
  if (all.some((oneOf) => oneOf.keyword === 'oneOf' && isInsideMapOf(error, oneOf))) return false;
  return all.some(
    (other) => other.keyword === 'oneOf' && error.instancePath.startsWith(other.instancePath),
  );
}

/**
 * Whether `error` is about a value of a key of the map that `oneOf` failed on, in its map
 * branch: the map was meant, and the value says what is wrong with it.
 */
const isInsideMapOf = (error: ErrorObject, oneOf: ErrorObject) =>
  error.keyword === 'type' &&
  error.schemaPath.includes('/oneOf/') &&
  /^\/[^/]+$/.test(error.instancePath.slice(oneOf.instancePath.length)) &&
  error.instancePath.startsWith(`${oneOf.instancePath}/`) &&
  !/^\/\d+$/.test(error.instancePath.slice(oneOf.instancePath.length));

/**
 * Whether `error` is an unknown key of the map that `oneOf` failed on, in a branch of a oneOf
 * (its own, or one that a branch of its refers to: a worker's command is a oneOf too).
 */
const isUnknownKeyOf = (error: ErrorObject, oneOf: ErrorObject) =>
  error.keyword === 'additionalProperties' &&
  error.instancePath === oneOf.instancePath &&
  error.schemaPath.includes('/oneOf/');

/** The keywords of an empty value: a string, a list, a map with nothing in it. */
const EMPTY = new Set(['minLength', 'minItems', 'minProperties']);

const isEmptyAt = (at: string, all: ErrorObject[]) =>
  all.some((other) => EMPTY.has(other.keyword) && other.instancePath === at);

/**
 * Whether `error` says the value that `oneOf` failed on is empty, or an item of it (a list), or
 * something in one of its keys (a map: `hosts: {ssh: ""}`, `transfer: [""]`).
 */
function isEmptyOf(error: ErrorObject, oneOf: ErrorObject): boolean {
  if (!EMPTY.has(error.keyword) || !error.schemaPath.includes('/oneOf/')) return false;
  if (error.instancePath === oneOf.instancePath) return true;
  if (!error.instancePath.startsWith(`${oneOf.instancePath}/`)) return false;
  const [first, ...deeper] = error.instancePath.slice(oneOf.instancePath.length + 1).split('/');
  return !/^\d+$/.test(first!) || deeper.length === 0;
}

function describe(config: LoadedConfig, error: ErrorObject): SchemaProblem {
  const path = pathOf(error.instancePath);
  const key = error.keyword === 'pattern' ? error.propertyName : undefined;
  const problem = describeAt(config, error, path);
  return error.keyword === 'additionalProperties'
    ? problem
    : { ...problem, path: key === undefined ? path : [...path, key] };
}

function describeAt(config: LoadedConfig, error: ErrorObject, path: (string | number)[]): Problem {
  const name = nameOf(path);
  // A fan's workers: a number, or relative to the CPUs as parallel's -j (its pattern).
  if (path.at(-1) === 'workers' && (error.keyword === 'pattern' || error.keyword === 'minimum')) {
    return {
      ...config.where(path),
      message: `${name} must be a whole number of at least 1, or +N, -N, N% of the CPUs (as GNU parallel's -j), not ${JSON.stringify(valueAt(config.data, path))}${fromVariable(config, path)}`,
    };
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const flag = path.at(-1) === 'fan' ? fanFlagHint(key) : null;
      const near = flag === null ? nearest(key, allowed) : null;
      const hint = flag ?? (near === null ? null : `did you mean "${near}"?`);
      const place = path.length === 0 ? 'at the top' : `in ${describePath(path)}`;
      return {
        ...config.where(path, key),
        message: `unknown key ${JSON.stringify(key)} ${place}${hint ? ` (${hint})` : ''}; known: ${allowed.join(', ')}`,
      };
    }
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return { ...config.where(path), message: `${name} needs "${missing}"` };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      return { ...config.where(path), message: `${name} must be one of ${allowed.join(', ')}` };
    }
    case 'type':
      return {
        ...config.where(path),
        message: `${name} must be ${article((error.params as { type: string | string[] }).type)}`,
      };
    case 'oneOf':
      return { ...config.where(path), message: `${name} ${oneOfMessage(path)}` };
    // Ajv's own words were "must NOT have fewer than 1 items".
    case 'minItems':
      return { ...config.where(path), message: `${name} is an empty list: it needs one or more` };
    // Ajv's own words were "must NOT have fewer than 1 characters".
    case 'minLength':
      return {
        ...config.where(path),
        message: `${name} is an empty string: give it a value, or leave the key out`,
      };
    case 'minProperties':
      return { ...config.where(path), message: `${name} is an empty map: it needs one or more` };
    case 'pattern': {
      // The schema's patterns are the names' two alphabets: with `.` and `-`, or without; and
      // an environment variable's name, anything but empty or with a `=` (the environ's split).
      const pattern = (error.params as { pattern: string }).pattern;
      const allowed = pattern.includes('.-')
        ? 'letters, digits, _ . and -'
        : 'letters, digits and _';
      const key = error.propertyName;
      if (pattern === '^[^=]+$' && key !== undefined)
        return {
          ...config.where(path, key),
          message: `a name in ${name} ("${key}") may not be empty or hold "="`,
        };
      if (key === undefined)
        return { ...config.where(path), message: `${name} may hold only ${allowed}` };
      return {
        ...config.where(path, key),
        message: `a name in ${name} ("${key}") may hold only ${allowed}`,
      };
    }
    default:
      return { ...config.where(path), message: `${name} ${error.message ?? 'is not valid'}` };
  }
}

function oneOfMessage(path: (string | number)[]): string {
  const last = path.at(-1);
  if (last === 'worker')
    return 'must be a command (a string or an array) or an object with run, filter or stages';
  if (last === 'input') return 'must be a file name or a list of file names and globs';
  if (last === 'hosts')
    return 'must be a list of hosts, [user@]host[:port][/slots] (":" is this machine), none empty; or a map of list, file, ssh, remote-manifold, host-timeout, transfer and cleanup';
  return 'must be a command: a string (run with /bin/sh -c) or an array (the program and its arguments)';
}

/** Ajv names one type as a string (`integer`), several as a list or (older) joined by commas. */
function article(type: string | string[]): string {
  const words = (Array.isArray(type) ? type : type.split(',')).map((t) =>
    t === 'integer'
      ? 'a whole number'
      : t === 'array'
        ? 'a list'
        : t === 'object'
          ? 'a map'
          : `a ${t}`,
  );
  return words.join(' or ');
}
