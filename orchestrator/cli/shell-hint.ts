import { quoteWord } from '../../filters/errors.js';
import { ExitCode } from '../../filters/index.js';
import { holdsBytes, showWord } from '../../filters/sdk/raw-arguments.js';
import { selectsNothing } from '../workers/nothing-found.js';
import { findProgram } from '../workers/which.js';

/**
 * A hint for a worker command that looks meant for a shell: `manifold fan -- 'grep a | wc -l'`
 * (one word naming no program) or `manifold fan -- grep a '|' wc -l` (a pipe reaching grep as an
 * argument). Given only when the fan fails, since `tr '|' ','` means what it says.
 */
export function shellHint(argv: readonly string[]): string | null {
  const operator = argv.find((word) => SHELL_OPERATORS.has(word));
  // One word that is a program (`./f ail.sh`) ran: its failure is its own.
  const shellWord =
    argv.length === 1 && /[|;&<>$`]|\s/.test(argv[0]!) && !('found' in findProgram(argv[0]!));
  if (operator === undefined && !shellWord) return null;
  const line = argv.length === 1 ? argv[0]! : argv.join(' ');
  // A line with bytes that are not UTF-8, or a control character (a newline), is said as bash
  // takes it back, `$'grep \xe9 | wc'`, on one line.
  const quoted = holdsBytes(line) ? showWord(line) : quoteWord(line);
  const program = showWord(argv[0]!);
  const why = shellWord ? 'a shell command line' : `'${operator}' was an argument of ${program}`;
  return `${why}: to run it with /bin/sh -c, add --shell: manifold fan --shell -- ${quoted}`;
}

const SHELL_OPERATORS = new Set(['|', '||', '&&', ';', '&', '>', '>>', '<', '|&']);

/** A hint for a worker that failed with status 1, as `grep` does when it selects nothing. */
export function nothingFoundHint(command: {
  argv: readonly string[];
  shell: boolean;
}): string | null {
  const program = selectsNothing(command);
  if (program === null) return null;
  return `${program} exits 1 when it selects nothing; for that not to fail the run, add --ok-status 0,1`;
}

/**
 * After a failed fan, a hint on a line of its own: for a command that looks meant for a shell,
 * or for a `grep` that exited 1 (`statuses`: the exit statuses of the workers that failed it).
 */
export function hintOnFailure(
  status: number,
  command: { argv: readonly string[]; shell: boolean },
  statuses: ReadonlySet<number> = new Set(),
): number {
  if (status !== ExitCode.failure) return status;
  const hint =
    (command.shell ? null : shellHint(command.argv)) ??
    (statuses.has(1) ? nothingFoundHint(command) : null);
  if (hint !== null) process.stderr.write(`manifold: hint: ${hint}\n`);
  return status;
}
