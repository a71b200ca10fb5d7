import type { Command, CommanderError, Option } from 'commander';
import { quoteName, quoteWord } from '../../filters/errors.js';
import { commanderMessage } from '../../filters/sdk/cli.js';
import { parallelSpelling } from './parallel-words.js';

/**
 * What every command of the program gets: `-V, --version`, and errors thrown to the edge
 * (main.ts) rather than printed and exited on by commander, so that the edge writes one line.
 */
export function applyManners(command: Command, version: string): void {
  for (const sub of command.commands as Command[]) {
    sub.version(version, '-V, --version');
    sub.exitOverride().configureOutput({ outputError: () => {} });
    if (sub.registeredArguments[0]?.name() === 'command') sub.hook('preAction', refuseNumberWord);
    unknownOptionFirst(sub);
    applyManners(sub, version);
  }
}

/** The checks of commander's `Command` that `unknownOptionFirst` puts in another order. */
interface Checks {
  _checkForMissingMandatoryOptions?: () => void;
  _processArguments?: () => void;
}

/**
 * commander says a required option missing before an option it does not know: `table build
 * in --key whole --bogus` said `required option '-o, --output <table>' not specified`, where the
 * mistake is `--bogus` (a misspelt `--output`, often). Its unknown option is checked just before
 * the arguments are: the required ones are checked there too, after it.
 */
function unknownOptionFirst(command: Command): void {
  if (!(command.options as Option[]).some((option) => option.mandatory)) return;
  const checks = command as unknown as Checks;
  const mandatory = checks._checkForMissingMandatoryOptions;
  const processArguments = checks._processArguments;
  if (typeof mandatory !== 'function' || typeof processArguments !== 'function') return;
  checks._checkForMissingMandatoryOptions = () => {};
  checks._processArguments = () => {
    mandatory.call(command);
    processArguments.call(command);
  };
}

/** A word commander reads as a negative number (its own test). */
const NEGATIVE_NUMBER = /^-(\d+|\d*\.\d+)(e[+-]?\d+)?$/;

/**
 * commander takes a word that reads as a negative number (`-0`, `-9`) for an argument when no
 * option of the command is a digit: `manifold worker --queue URL -0 -- cat` ran `-0` as its
 * command (not found, 127). Where a command line is taken, no program is named so: it is an
 * option, unknown here, and refused as commander refuses one (`-0 is an option of 'manifold
 * fan', not of 'manifold worker'`, below).
 */
function refuseNumberWord(_hooked: Command, command: Command): void {
  const [first] = command.args;
  if (first !== undefined && NEGATIVE_NUMBER.test(first))
    command.error(`error: unknown option '${first}'`, { code: 'commander.unknownOption' });
}

/**
 * The one line for a usage error, pointing at the help of the command it is about:
 * `unknown option '--bogus' (see 'manifold fan --help')`. Null when commander has already
 * said everything: help shown, on request (status 0) or because a command was missing
 * (`manifold` alone, `manifold table` alone: status 2, the help on stderr).
 */
export function usageLine(error: CommanderError, program: Command, argv: string[]): string | null {
  if (error.code === 'commander.help' || error.exitCode === 0) return null;
  const placed = optionBeforeCommand(error, program, argv);
  if (placed !== null) return `${placed.line} (see '${placed.path.join(' ')} --help')`;
  const path = commandPath(program, argv);
  const line =
    unknownSubcommand(error, program, path) ??
    optionOfCounterpart(error, program, path) ??
    parallelSpelling(error, path) ??
    commanderMessage(error);
  return `${line} (see '${path.join(' ')} --help')`;
}

/**
 * The two faces of a fan that runs elsewhere: its coordinator (`fan --queue`, `fan --host`) and
 * its workers (`worker --queue`, `worker --stdio`). An option of one given to the other is said
 * to be so, not only unknown: `fan --queue URL --connect-timeout 1s` was "unknown option
 * '--connect-timeout'" with no hint that it is the worker's.
 */
const COUNTERPARTS: Record<string, string> = {
  'manifold fan': 'manifold worker',
  'manifold worker': 'manifold fan',
};

/** `--connect-timeout is an option of 'manifold worker', not of 'manifold fan'`, or null. */
function optionOfCounterpart(
  error: CommanderError,
  program: Command,
  path: string[],
): string | null {
  const here = path.join(' ');
  const there = COUNTERPARTS[here];
  if (error.code !== 'commander.unknownOption' || there === undefined) return null;
  // `--connect-timeout=1s` is named with its value.
  const flag = /unknown option '([^'=]+)/.exec(error.message)?.[1];
  // One of this command's own, given a value it takes none of (`fan --tag=1`): not the other's.
  const isFlag = (o: Option) => o.long === flag || o.short === flag;
  if ((commandAt(program, path.slice(1)).options as Option[]).some(isFlag)) return null;
  const other = commandAt(program, there.split(' ').slice(1));
  const known = (other.options as Option[]).some(isFlag);
  return known ? `${flag} is an option of '${there}', not of '${here}'` : null;
}

/**
 * An option of a subcommand given before the subcommand's name (`manifold --verbose fan`,
 * `manifold -j 2 fan`, `manifold table -o t.mft build`), which the command it was given to does
 * not know: it was "unknown option '--verbose'", pointing at a help that lists it (or, a value
 * between, at the program's). Said where it goes, with the help of the command it is an option
 * of; null when no command that the line goes on to name knows it.
 */
function optionBeforeCommand(
  error: CommanderError,
  program: Command,
  argv: string[],
): { line: string; path: string[] } | null {
  if (error.code !== 'commander.unknownOption') return null;
  const given = /^error: unknown option '(.*)'$/m.exec(error.message)?.[1];
  const end = argv.indexOf('--');
  const words = end === -1 ? argv : argv.slice(0, end);
  const at = given === undefined ? -1 : words.indexOf(given);
  if (given === undefined || at === -1) return null;
  const before = words.slice(0, at);
  const here = commandPath(program, before);
  const subs = commandAt(program, here.slice(1)).commands as Command[];
  const names = (word: string) => subs.some((c) => c.name() === word || c.aliases().includes(word));
  const next = words.findIndex((word, i) => i > at && names(word));
  if (next === -1) return null;
  // The command the line names, the words before its name left out; the deepest that knows it.
  const path = commandPath(program, [...before, ...words.slice(next)]);
  // `--workers=2` and `-j2` are named with their value.
  const flag = given.startsWith('--') ? given.split('=')[0]! : given.slice(0, 2);
  const isFlag = (o: Option) => o.long === flag || o.short === flag;
  let depth = path.length;
  while (depth > here.length && !optionsAt(program, path.slice(1, depth)).some(isFlag)) depth--;
  if (depth === here.length) return null;
  const option = optionsAt(program, path.slice(1, depth)).find(isFlag)!;
  const value = words[at + 1] ?? '';
  const withNext =
    given === flag && next > at + 1 && (option.required || (option.optional && value[0] !== '-'));
  // A flag given a value (`--tag=1`) is shown as it goes: after the name, it is refused too.
  const takesNone = !option.required && !option.optional;
  const moved = withNext ? [given, value] : [takesNone && given.includes('=') ? flag : given];
  const there = path.slice(0, depth);
  const example = [...there, ...moved.map(quoteName)].join(' ');
  return {
    line: `${flag} is an option of '${there.join(' ')}': put it after ${there.at(-1)} (${example} ...)`,
    path: there,
  };
}

const optionsAt = (program: Command, names: string[]) =>
  commandAt(program, names).options as Option[];

/** The command of `program` that the subcommand `names` lead to (as far as they name one). */
function commandAt(program: Command, names: string[]): Command {
  let command = program;
  for (const name of names) {
    command = (command.commands as Command[]).find((c) => c.name() === name) ?? command;
  }
  return command;
}

/**
 * A command that has subcommands and an action of its own (`table`, `queue`: their help, exit
 * 2) takes a word that names none as an argument too many: `manifold table read x.mft` was
 * "too many arguments for 'table'. Expected 0 arguments but got 2". Say what it is instead;
 * so too where an option of the meant command came after it (`queue stauts --queue URL` said
 * `unknown option '--queue'`, of the misspelt command's).
 */
function unknownSubcommand(error: CommanderError, program: Command, path: string[]): string | null {
  if (error.code !== 'commander.excessArguments' && error.code !== 'commander.unknownOption')
    return null;
  const command = commandAt(program, path.slice(1));
  const word = (command.args as string[])[0];
  if (command.commands.length === 0 || word === undefined || word.startsWith('-')) return null;
  const known = (command.commands as Command[]).map((c) => c.name()).join(', ');
  return `unknown command ${quoteWord(word)} (commands: ${known})`;
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
