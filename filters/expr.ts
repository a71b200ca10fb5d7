import { Script } from 'node:vm';
import { UsageError } from './errors.js';

/**
 * Compiles a JavaScript expression from a command line into a function of `params`
 * (by default the record `r` and its 1-based number `n`). One that does not compile is a
 * usage error that shows it and says what is wrong in its own terms.
 */
export function compileExpression(
  source: string,
  params: string[] = ['r', 'n'],
): (...args: unknown[]) => unknown {
  try {
    // The newlines keep a trailing `// comment` in the source from swallowing the parenthesis.
    const compiled = new Function(...params, `"use strict";\nreturn (\n${source}\n);`) as (
      ...args: unknown[]
    ) => unknown;
    // Text that closes the parenthesis itself (`r) + (1`) compiles there, as more than one
    // expression; within brackets it cannot: one expression only, as the usage says.
    if (!parses(`"use strict";\n[\n${source}\n];`)) {
      throw new UsageError(
        `the expression ${quoted(source)} is not valid JavaScript: Unexpected token ')' (a ')' with no '(' of its own: one expression only)`,
      );
    }
    return compiled;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `the expression ${quoted(source)} is not valid JavaScript: ${whatIsWrong(source, error)}`,
      error,
    );
  }
}

/**
 * V8's message for the wrapped code can name a ';' or ')' of the wrapper, which the user never
 * wrote ('r.foo(' read "Unexpected token ';'"). Compiling the source again with nothing after
 * it finds the error in the user's text: anything but "end of input" is theirs as it stands;
 * "end of input" there means their expression is unfinished; compiling cleanly means their
 * text closed the wrapper's parenthesis, a ')' with no '(' of its own.
 */
function whatIsWrong(source: string, wrapped: unknown): string {
  try {
    // A script, not a Function, whose body Node closes with a '}' of its own.
    new Script(`"use strict";\n(\n${source}`);
  } catch (error) {
    return messageOf(error);
  }
  return wrapped instanceof SyntaxError ? "Unexpected token ')'" : messageOf(wrapped);
}

const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');

/** The source in single quotes, as a shell user would write it; in JSON's quotes if it has a quote or a control character. */
const quoted = (source: string) =>
  /['\p{Cc}]/u.test(source) ? JSON.stringify(source) : `'${source}'`;

/** Whether `code` parses as a script (it is not run). */
function parses(code: string): boolean {
  try {
    new Script(code);
    return true;
  } catch {
    return false;
  }
}
