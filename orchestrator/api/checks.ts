import { UsageError } from '../../filters/index.js';

// The library's checks of what a caller passes that the options' own checks do not cover.

/** Every key of `given` is one of `known`: `unknown option "wrokers" (known: ...)`. */
export function checkNames(given: object, known: Set<string>, what: string): void {
  for (const name of Object.keys(given)) {
    if (!known.has(name))
      throw new UsageError(`unknown ${what} "${name}" (known: ${[...known].join(', ')})`);
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
