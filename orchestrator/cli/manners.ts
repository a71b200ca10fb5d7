import type { Command, CommanderError } from 'commander';
import { commanderMessage } from '../../filters/sdk/cli.js';

/**
 * What every command of the program gets: `-V, --version`, and errors thrown to the edge
 * (main.ts) rather than printed and exited on by commander, so that the edge writes one line.
 */
export function applyManners(command: Command, version: string): void {
  for (const sub of command.commands as Command[]) {
    sub.version(version, '-V, --version');
    sub.exitOverride().configureOutput({ outputError: () => {} });
    applyManners(sub, version);
  }
}

/**
 * The one line for a usage error, pointing at the help of the command it is about:
 * `unknown option '--bogus' (see 'manifold fan --help')`. Null when commander has already
 * said everything: help shown, on request (status 0) or because a command was missing
 * (`manifold` alone, `manifold table` alone: status 2, the help on stderr).
 */
export function usageLine(error: CommanderError, program: Command, argv: string[]): string | null {
  if (error.code === 'commander.help' || error.exitCode === 0) return null;
  const path = commandPath(program, argv);
  return `${unknownSubcommand(error, program, path) ?? commanderMessage(error)} (see '${path.join(' ')} --help')`;
}

/**
 * A command that has subcommands and an action of its own (`table`, `queue`: their help, exit
 * 2) takes a word that names none as an argument too many: `manifold table read x.mft` was
 * "too many arguments for 'table'. Expected 0 arguments but got 2". Say what it is instead.
 */
function unknownSubcommand(error: CommanderError, program: Command, path: string[]): string | null {
  if (error.code !== 'commander.excessArguments') return null;
  let command = program;
  for (const name of path.slice(1)) {
    command = (command.commands as Command[]).find((c) => c.name() === name) ?? command;
  }
  const word = (command.args as string[])[0];
  if (command.commands.length === 0 || word === undefined) return null;
  const known = (command.commands as Command[]).map((c) => c.name()).join(', ');
  return `unknown command '${word}' (commands: ${known})`;
}

/**
 * The names of the command `argv` runs, from the program's: its leading words that name a
 * subcommand, skipping flags (the program and `table` take none with a value).
 */
export function commandPath(program: Command, argv: string[]): string[] {
  const path = [program.name()];
  let current = program;
  for (const word of argv) {
    if (word === '--') break;
    // `help` before the names: `manifold help table nosuch` is about `manifold table`.
    if (word.startsWith('-') || word === 'help') continue;
    const sub = (current.commands as Command[]).find(
      (c) => c.name() === word || c.aliases().includes(word),
    );
    if (sub === undefined) break;
    path.push(sub.name());
    current = sub;
  }
  return path;
}
