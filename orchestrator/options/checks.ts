import { availableParallelism } from 'node:os';
import { quoteName } from '../../filters/errors.js';
import { parseSize, UsageError, wholeNumber } from '../../filters/index.js';
import { FAN_CHOICES, type FanSettings, MAX_WORKERS } from './fan-settings.js';
import { isRelativeCount, requestedWorkers } from './workers-count.js';

// The checks of single values, each naming its option as the caller spells it.

/**
 * How the caller spells an option in messages: `--block`, `block`; and, given a value, the
 * option set to it: `--merge ordered`, `merge: ordered`, `merge: 'ordered'`.
 */
export type NameOf = (option: keyof FanSettings, value?: string) => string;

/** A bad value of one option: a usage error that knows which option, for a config's position. */
export class OptionError extends UsageError {
  readonly option: keyof FanSettings;

  constructor(option: keyof FanSettings, message: string, cause?: unknown) {
    super(message, cause);
    this.name = 'OptionError';
    this.option = option;
  }
}

/** Runs a parser of `option`'s value; its usage error becomes the option's own. */
export function at<T>(option: keyof FanSettings, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof OptionError || !(error instanceof UsageError)) throw error;
    throw new OptionError(option, error.message, error.cause);
  }
}

export function workerCount(value: unknown, name: string): number {
  const n = requestedWorkers(value);
  if (Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS) return n;
  const given = quoteName(String(value));
  const cpus = availableParallelism();
  if (isRelativeCount(value))
    throw new OptionError(
      'workers',
      `${name} ${given} is ${n} workers on this machine's ${cpus} CPUs: it needs from 1 to ${MAX_WORKERS}`,
    );
  if (n === 0)
    throw new OptionError(
      'workers',
      `${name} 0 (GNU parallel's "as many as can run") has no meaning for a fan, whose blocks wait for a worker: give a number from 1 to ${MAX_WORKERS}, or +N, -N, N% of the CPUs`,
    );
  throw new OptionError(
    'workers',
    `${name} must be a whole number from 1 to ${MAX_WORKERS}, or +N, -N, N% of the CPUs (got ${given})`,
  );
}

/** A whole number of at least `least`: `option`'s value, `name` as the message spells it. */
export function count(
  value: unknown,
  name: string,
  option: keyof FanSettings = 'retries',
  least = 0,
): number {
  const n = wholeNumber(value);
  if (!Number.isInteger(n) || n < least || !Number.isSafeInteger(n))
    throw new OptionError(
      option,
      `${name} must be a whole number of at least ${least} (got ${quoteName(String(value))})`,
    );
  return n;
}

export function size(value: unknown, option: keyof FanSettings, name: NameOf): number {
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw new OptionError(
      option,
      `${name(option)} must be a size: a number of bytes or a string such as 64K, 1M (got ${show(value)})`,
    );
  }
  return at(option, () => parseSize(String(value), name(option)));
}

export function text(value: unknown, option: keyof FanSettings, name: NameOf): string {
  if (typeof value !== 'string')
    throw new OptionError(option, `${name(option)} must be a string (got ${show(value)})`);
  return value;
}

export function flag(settings: FanSettings, option: keyof FanSettings, name: NameOf): boolean {
  const value = settings[option];
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  throw new OptionError(option, `${name(option)} must be true or false (got ${show(value)})`);
}

export function choice<K extends keyof typeof FAN_CHOICES>(
  value: unknown,
  option: K,
  name: NameOf,
): (typeof FAN_CHOICES)[K][number] {
  const choices: readonly unknown[] = FAN_CHOICES[option];
  if (!choices.includes(value)) {
    throw new OptionError(
      option,
      `${name(option)} must be one of ${choices.join(', ')} (got ${show(value)})`,
    );
  }
  return value as (typeof FAN_CHOICES)[K][number];
}

/**
 * A value as a message shows it: a string as the shell would quote it (quoteName), as every
 * message quotes what was typed, and in quotes still where bare it would read as true, false
 * or null (a config's `ordered: 'true'`); anything else as JSON writes it.
 */
export function show(value: unknown): string {
  if (typeof value === 'string')
    return /^(true|false|null)$/.test(value) ? `'${value}'` : quoteName(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A --block given as a negative number (`-1`, `'-2'`): a count of blocks for each worker, not a
 * size (options/fan.ts `blocksPerWorker`). Its text, trimmed; undefined for anything else.
 */
export function negativeBlock(value: unknown): string | undefined {
  const said =
    typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return said.startsWith('-') ? said : undefined;
}
