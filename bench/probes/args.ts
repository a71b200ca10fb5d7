/**
 * A probe's command line: `--name value` options and flags, then, after `--`, a command to
 * run. Options are looked for before `--` only: the command may use the same names.
 */
export function probeArgs(argv: readonly string[] = process.argv.slice(2)) {
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  const options = argv.slice(0, end);
  const option = (name: string): string | undefined => {
    const at = options.indexOf(name);
    return at < 0 ? undefined : options[at + 1];
  };
  return {
    /** The value given after `name`, if it was given. */
    option,
    /** The value given after `name`; a probe cannot run without it. */
    required(name: string): string {
      const value = option(name);
      if (value === undefined) throw new Error(`probe: ${name} is required`);
      return value;
    },
    /** Whether the flag `name` was given. */
    flag: (name: string) => options.includes(name),
    /** The words after `--`. */
    command: argv.slice(end + 1),
  };
}
