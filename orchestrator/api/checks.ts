import { UsageError } from '../../filters/index.js';
import { nearest } from '../config/problems.js';

// The library's checks of what a caller passes that the options' own checks do not cover.

/** Names a call does not take here, and what to do instead: the other argument, or another way. */
export interface Elsewhere {
  names: Iterable<string>;
  /** What a message says after the name: `it is an I/O option, given in the second argument`. */
  said: string;
}

/**
 * Every key of `given` is one of `known`: `unknown option "wokers" (did you mean "workers"?);
 * known: ...`, or, for a name the call takes elsewhere, where it goes: `unknown option
 * "input": it is an I/O option, given in the second argument ({ input, output, signal })`.
 */
export function checkNames(
  given: object,
  known: Iterable<string>,
  what: string,
  elsewhere: Elsewhere[] = [],
): void {
  const names = [...known];
  for (const name of Object.keys(given)) {
    if (names.includes(name)) continue;
    const place = elsewhere.find((other) => [...other.names].includes(name));
    if (place !== undefined) throw new UsageError(`unknown ${what} "${name}": ${place.said}`);
    const hint = nearest(name, names);
    throw new UsageError(
      `unknown ${what} "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; known: ${names.join(', ')}`,
    );
  }
}

/** Environment variables for the workers: an object of strings. */
export function checkEnv(env: unknown): Record<string, string> {
  if (
    typeof env !== 'object' ||
    env === null ||
    !Object.values(env).every((value) => typeof value === 'string')
  ) {
    throw new UsageError('env must be an object of strings, { NAME: "value" }');
  }
  return env as Record<string, string>;
}

/**
 * `hosts: []`, given: as a config's `hosts: []`, a list naming no host is refused (it ran on this
 * machine without a word, where the caller meant hosts). Returns the options as they are.
 */
export function checkHostsNamed<T extends { hosts?: unknown; hostsFile?: unknown }>(options: T): T {
  if (Array.isArray(options.hosts) && options.hosts.length === 0 && options.hostsFile === undefined)
    throw new UsageError('hosts is an empty list: name one or more hosts, or leave it out');
  return options;
}
