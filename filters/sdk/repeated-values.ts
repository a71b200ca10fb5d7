import { type Command, CommanderError, type Option } from 'commander';
import { quoteWord } from '../errors.js';

// An option that takes one value, given it twice with two values (`-L 2 ... -L 3`), is most
// often a mistake in a long command line: commander, as GNU parallel's Getopt::Long, keeps the
// last without a word. Here it is a usage error naming both; the same value twice is fine.
// Options that gather their values (`--input`, `--host`, `--set`) say so with `repeatable`.

const REPEATABLE = new WeakSet<Option>();

/** Marks `option` as one that gathers every value it is given, each a new one. */
export function repeatable<T extends Option>(option: T): T {
  REPEATABLE.add(option);
  return option;
}

/** Whether `option` gathers its values (`repeatable`), or takes one. */
export function isRepeatable(option: Option): boolean {
  return REPEATABLE.has(option);
}

/**
 * Refuses an option that takes one value given two different ones, in `command` and its
 * subcommands: `option '-L, --lines-per-record' given two values, '2' and '3': give one`.
 */
export function refuseRepeatedValues(command: Command): void {
  for (const option of command.options as Option[]) {
    if ((!option.required && !option.optional) || isRepeatable(option)) continue;
    const parse = option.parseArg;
    let given: string | undefined;
    option.parseArg = <T>(value: string, previous: T): T => {
      if (given !== undefined && given !== value) {
        const flags = [option.short, option.long].filter(Boolean).join(', ');
        throw new CommanderError(
          2,
          'manifold.optionRepeated',
          `option '${flags}' given two values, ${quoteWord(given)} and ${quoteWord(value)}: give one`,
        );
      }
      given = value;
      return parse ? parse(value, previous) : (value as T);
    };
  }
  for (const sub of command.commands) refuseRepeatedValues(sub);
}
