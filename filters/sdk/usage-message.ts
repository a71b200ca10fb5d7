import type { Command, CommanderError } from 'commander';
import { oneLine, quoteName, quoteWord } from '../errors.js';

/**
 * A commander error as the one line a usage error is, in manifold's words: without commander's
 * `error: `, its suggestion on the same line (commander puts `(Did you mean --merge?)` on a line
 * of its own), and a bad option value said as `--split x is not one of ...` rather than
 * `option '--split <framing>' argument 'x' is invalid. ...`. The words of
 * the command line in it (an unknown option or command, a value) are read from commander's
 * message whole, line breaks and all, and quoted as bash would (`unknown option $'--a\nb'`),
 * not made one line by turning their breaks into spaces.
 */
export function commanderMessage(error: CommanderError): string {
  const message = error.message.replace(/^error: /, '');
  switch (error.code) {
    case 'commander.unknownOption':
    case 'commander.unknownCommand':
      return oneLine(unknownWord(message));
    case 'commander.invalidArgument':
      return oneLine(invalidValue(message));
    case 'commander.optionMissingArgument':
      return message.replace(
        /^option '((?:-\w, )?\S+)(?: ([<[].*[>\]]))?' argument missing$/,
        (_, flag: string, value = '') => `${flag} needs a value${value ? ` (${value})` : ''}`,
      );
    case 'commander.excessArguments':
      return message.replace(
        /^too many arguments(.*)\. Expected (\d+) arguments? but got (\d+)\.$/,
        'too many arguments$1: expected $2, got $3',
      );
    default:
      return oneLine(message);
  }
}

/** `unknown option '--sett' (did you mean --set?)`, the word quoted by quoteWord. */
function unknownWord(message: string): string {
  const unknown = /^unknown (option|command) '([\s\S]*)'(?:\s*\n\s*\(Did you mean (.*)\?\))?$/.exec(
    message,
  );
  if (unknown === null) return message;
  const [, what, word, suggestion] = unknown as unknown as [string, string, string, string?];
  return `unknown ${what} ${quoteWord(word)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
}

/**
 * `--protocol: x is not one of manifold`, from commander's two sentences; a command's argument
 * likewise (`<shell>: x is not one of bash, zsh, fish`).
 */
function invalidValue(message: string): string {
  const option =
    /^option '((?:-\w, )?[^\s']+)[^']*' argument '([\s\S]*)' is invalid\. ([\s\S]*)$/.exec(
      message,
    ) ??
    /^command-argument value '([\s\S]*)' is invalid for argument '([^']*)'\. ([\s\S]*)$/
      .exec(message)
      ?.map((part, i, [, value, name]) => (i === 1 ? `<${name}>` : i === 2 ? value : part));
  if (option === null || option === undefined) return message;
  const [, flag, value, reason] = option as unknown as [string, string, string, string];
  // A reason that names the option and its value itself (`--split 'delim:\q': ...`) is said whole.
  if (reason.startsWith(`${flag} `)) return reason;
  const choices = /^Allowed choices are ([\s\S]*)\.$/.exec(reason);
  return `${flag}: ${choices === null ? reason : `${quoteName(value)} is not one of ${choices[1]}`}`;
}

/**
 * The first argument before `--` that looks like an option: commander takes one that looks
 * like a negative number (`-0`, `-1`) for an argument, where grep and awk take any word before
 * their pattern that begins with `-` for an option (`mf-map -- -1` is the expression `-1`).
 * Those after a `--` (the words after it, kept as they are by commander) are arguments.
 */
export function optionLikeArgument(command: Command, argv: readonly string[]): string | undefined {
  const literal = argv.indexOf('--');
  const after = literal < 0 ? 0 : argv.length - literal - 1;
  return command.args
    .slice(0, Math.max(0, command.args.length - after))
    .find((arg) => /^-./.test(arg));
}

/**
 * A filter given an argument too many, most often a file (`mf-map r in.txt`, as to cat): says
 * which, what the filter takes, and that it reads stdin:
 * `unexpected argument 'in.txt' (mf-map takes <expression>; it reads stdin: mf-map ... < in.txt)`.
 * One that looks like an option (`-0`, as manifold fan has), anywhere before `--`, is said as
 * the unknown option it is.
 */
export function excessArgumentsMessage(command: Command, argv: readonly string[]): string {
  const option = optionLikeArgument(command, argv);
  if (option !== undefined) return `unknown option ${quoteWord(option)}`;
  const declared = command.registeredArguments;
  const extra = command.args.slice(declared.length);
  const takes =
    declared.length === 0
      ? 'none'
      : declared.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)).join(' ');
  const quoted = extra.map(quoteWord).join(' ');
  const rest = argv.length > extra.length ? ' ...' : '';
  const name = command.name();
  return `unexpected argument${extra.length === 1 ? '' : 's'} ${quoted} (${name} takes ${takes}; it reads stdin: ${name}${rest} < ${quoteName(extra[0] as string)})`;
}
