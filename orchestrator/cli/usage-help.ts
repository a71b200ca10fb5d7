import { ExitCode, ManifoldError, UsageError } from '../../filters/index.js';

/**
 * Resolves a command line (its options' values, which go together, its command) with `resolve`,
 * a usage error of it ending in a pointer to the command's help: `-j, --workers must be a whole
 * number from 1 to 4096 (got "x") (see 'manifold fan --help')`, as commander's own errors end
 * (`unknown option '--bogus' (see 'manifold fan --help')`, cli/manners.ts). What is refused
 * later, about the world rather than the line (an --input not there, a job on the queue started
 * with other options), names its file or job and no help.
 */
export function resolvingLine<T>(command: string, resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    throw pointingAtHelp(error, command);
  }
}

/** `error`, when it is a usage error (exit 2), with the pointer to `command`'s help at its end. */
export function pointingAtHelp(error: unknown, command: string): unknown {
  if (!(error instanceof ManifoldError) || error.exitCode !== ExitCode.usage) return error;
  const help = `'${command} --help'`;
  const { message } = error;
  if (message.endsWith(`${help})`)) return error;
  // One that points somewhere already (`(see docs/fan.md, threads)`) points at both.
  const seeing = /\(see ([^()]*)\)$/.exec(message);
  if (seeing !== null)
    return new UsageError(
      `${message.slice(0, seeing.index)}(see ${seeing[1]}, and ${help})`,
      error,
    );
  return new UsageError(`${message} (see ${help})`, error);
}
