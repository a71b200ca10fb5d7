import { type Command, CommanderError, Help, type Option } from 'commander';
import { quoteWord } from '../errors.js';

/**
 * Refuses a flag that takes no value given one with `=`, in `command` and its subcommands:
 * `-0 takes no value (got '-0=1')`. commander reads such a word its own way for each flag:
 * `--tag=1` is an unknown option (it suggests `--tag`), `-0=1` the group `-0` then `-=1` (an
 * unknown flag no one wrote), `-V=1` shows the version and exits 0, `-h=1` is unknown. Every
 * command line is checked here before commander reads it: manifold's commands and every
 * filter's alike.
 */
export function refuseFlagValues(command: Command): void {
  const parseOptions = command.parseOptions.bind(command);
  command.parseOptions = (args: string[]) => {
    const problem = flagGivenValue(command, args);
    if (problem !== null) throw new CommanderError(2, 'manifold.flagValue', problem);
    return parseOptions(args);
  };
  for (const sub of command.commands) refuseFlagValues(sub);
}

/** commander's settings that decide where it stops reading options (it has no getters). */
interface Stops {
  _passThroughOptions?: boolean;
  _enablePositionalOptions?: boolean;
}

/**
 * The first word of `args` that gives a value to a flag of `command` that takes none, said as
 * a problem, or null. The words are walked as commander walks them: up to `--`; an option's
 * value is the next word or the rest of its own (`-j4`, `--workers=4`); a group of short flags
 * (`-0v`) is read flag by flag; the walk ends where commander passes the rest on (to a
 * subcommand, or as a command's own words under passThroughOptions).
 */
function flagGivenValue(command: Command, args: string[]): string | null {
  const options = flagsOf(command);
  const find = (flag: string) => options.find((o) => o.short === flag || o.long === flag);
  const stops = command as unknown as Stops;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word === '--') return null;
    const option = find(word);
    if (option !== undefined) {
      if (option.required || (option.optional && !/^-./.test(args[i + 1] ?? ''))) i++;
      continue;
    }
    const read = /^-./.test(word) ? readWord(word, find) : 'unknown';
    if (typeof read === 'object') return `${read.noValue} takes no value (got ${quoteWord(word)})`;
    if (read === 'next') i++;
    if (read !== 'unknown') continue;
    if (stops._passThroughOptions) return null;
    const isSubcommand = command.commands.some(
      (c) => c.name() === word || c.aliases().includes(word),
    );
    if (stops._enablePositionalOptions && isSubcommand) return null;
  }
  return null;
}

/**
 * How commander reads an option word that is no flag as it stands: `{ noValue }`, a flag that
 * takes no value given one (`--tag=1`, `-0=1`, `-0v=1`); `known`, flags and their values
 * (`-j4`, `-0j4`, `--workers=4`); `next`, flags whose last takes the next word as its value
 * (`-0j 4`); `unknown`, a word commander finds no flag in.
 */
function readWord(
  word: string,
  find: (flag: string) => Option | undefined,
): { noValue: string } | 'known' | 'next' | 'unknown' {
  if (word.startsWith('--')) {
    const equals = word.indexOf('=');
    const option = equals < 0 ? undefined : find(word.slice(0, equals));
    if (option === undefined) return 'unknown';
    return option.required || option.optional ? 'known' : { noValue: option.long as string };
  }
  for (let at = 1; at < word.length; at++) {
    const flag = `-${word[at]}`;
    const option = find(flag);
    if (option === undefined) return 'unknown';
    if (option.required) return at === word.length - 1 ? 'next' : 'known';
    if (option.optional) return 'known';
    if (word[at + 1] === '=') return { noValue: flag };
  }
  return 'known';
}

/** The command's options and its help flags (commander keeps `--help` apart from the others). */
function flagsOf(command: Command): readonly Option[] {
  const help = new Help().visibleOptions(command).filter((o) => !command.options.includes(o));
  return [...command.options, ...help];
}
