import { UsageError } from '../../filters/index.js';
import { nearest } from '../config/problems.js';

// The library's checks of what a caller passes that the options' own checks do not cover.

/** The other argument of a call, whose names a caller may have put in the wrong one. */
export interface OtherArgument {
  names: Iterable<string>;
  /** How a message names it: `an I/O option, given in the second argument`. */
  said: string;
}

/**
 * Every key of `given` is one of `known`: `unknown option "wokers" (did you mean "workers"?);
 * known: ...`, or, for a key of the call's other argument, where it goes: `unknown option
 * "input": it is an I/O option, given in the second argument ({ input, output, signal })`.
 */
export function checkNames(
  given: object,
  known: Iterable<string>,
  what: string,
  other?: OtherArgument,
): void {
  const names = [...known];
  for (const name of Object.keys(given)) {
    if (names.includes(name)) continue;
    if (other !== undefined && [...other.names].includes(name))
      throw new UsageError(`unknown ${what} "${name}": it is ${other.said}`);
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
