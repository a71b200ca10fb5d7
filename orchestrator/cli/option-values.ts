import { type Command, CommanderError, type Option } from 'commander';

/**
 * Refuses `--` as the value of any option that takes one, in `command` and its subcommands.
 * Commander gives a required value whatever word comes next: `--stats -- cat` would write the
 * summary to a file named `--` and run `cat` as if the user had meant it. `--` ends the options,
 * so it is never a value; any other word, `-` included, still is.
 */
export function refuseEndOfOptions(command: Command): void {
  for (const option of command.options as Option[]) {
    if (!option.required && !option.optional) continue;
    // A variadic option takes every word up to the next option, the command's too: repeat it.
    if (option.variadic) throw new Error(`${option.flags}: a variadic option swallows the command`);
    const parse = option.parseArg;
    option.parseArg = <T>(value: string, previous: T): T => {
      if (value === '--') {
        throw new CommanderError(
          2,
          'manifold.endOfOptions',
          `option '${flagsOf(option)}' needs a value before '--', which ends the options`,
        );
      }
      return parse ? parse(value, previous) : (value as T);
    };
  }
  for (const sub of command.commands) refuseEndOfOptions(sub);
}

/** `-j, --workers`, without the value's placeholder. */
function flagsOf(option: Option): string {
  return [option.short, option.long].filter(Boolean).join(', ');
}
