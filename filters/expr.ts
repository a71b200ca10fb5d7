import { UsageError } from './errors.js';

/**
 * Compiles a JavaScript expression from a command line into a function of `params`
 * (by default the record `r` and its 1-based number `n`). One that does not compile is a
 * usage error that shows it.
 */
export function compileExpression(
  source: string,
  params: string[] = ['r', 'n'],
): (...args: unknown[]) => unknown {
  try {
    // The newlines keep a trailing `// comment` in the source from swallowing the parenthesis.
    return new Function(...params, `"use strict";\nreturn (\n${source}\n);`) as (
      ...args: unknown[]
    ) => unknown;
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new UsageError(`cannot compile expression ${JSON.stringify(source)}: ${message}`, error);
  }
}
