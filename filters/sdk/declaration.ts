import { inspect } from 'node:util';
import { UsageError } from '../errors.js';
import type { FilterSpec, RecordKind } from './types.js';

/** The declaration's keys that must be functions when given. */
const HOOKS = ['configure', 'setup', 'transform', 'batch', 'flush'] as const;

/**
 * Refuses, before anything runs, a hook that is no function (`transform: 5`: plain JavaScript
 * has no types to catch it), as `transform is 5, not a function`. It failed at the first record
 * instead, as "transform is not a function", and a bad flush only after every record was written.
 */
export function checkHooks(spec: FilterSpec<RecordKind, unknown>): void {
  for (const key of HOOKS) {
    const value: unknown = spec[key];
    if (value === undefined || typeof value === 'function') continue;
    throw new UsageError(`${key} is ${describeValue(value)}, not a function`);
  }
}

/** A declared value as a user wrote it: a string in double quotes, as `records is "bytes"`. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return inspect(value, { depth: 0, breakLength: Number.POSITIVE_INFINITY });
}
