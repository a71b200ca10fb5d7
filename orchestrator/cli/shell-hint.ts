import { ExitCode } from '../../filters/index.js';

/**
 * A hint for a worker command that looks meant for a shell: `manifold fan -- 'grep a | wc -l'`
 * (one word naming no program) or `manifold fan -- grep a '|' wc -l` (a pipe reaching grep as an
 * argument). Given only when the fan fails, since `tr '|' ','` means what it says.
 */
export function shellHint(argv: readonly string[]): string | null {
  const operator = argv.find((word) => SHELL_OPERATORS.has(word));
  const shellWord = argv.length === 1 && /[|;&<>$`]|\s/.test(argv[0]!);
  if (operator === undefined && !shellWord) return null;
  const line = argv.length === 1 ? argv[0]! : argv.join(' ');
  const quoted = `'${line.replace(/'/g, `'\\''`)}'`;
  const why = shellWord ? 'a shell command line' : `'${operator}' was an argument of ${argv[0]}`;
  return `${why}: to run it with /bin/sh -c, add --shell: manifold fan --shell -- ${quoted}`;
}

const SHELL_OPERATORS = new Set(['|', '||', '&&', ';', '&', '>', '>>', '<', '|&']);

/** After a failed fan whose command looks meant for a shell: the hint, on a line of its own. */
export function hintOnFailure(
  status: number,
  command: { argv: readonly string[]; shell: boolean },
): number {
  const hint = status === ExitCode.failure && !command.shell ? shellHint(command.argv) : null;
  if (hint !== null) process.stderr.write(`manifold: hint: ${hint}\n`);
  return status;
}
