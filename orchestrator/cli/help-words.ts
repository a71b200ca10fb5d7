import { type Command, CommanderError } from 'commander';
import { quoteWord } from '../../filters/errors.js';

/**
 * `manifold help table build`, and `manifold table help build`, read as
 * `manifold table build --help`: commander's own help command looks one word deep only, and a
 * command that does something alone (`table`, `queue`: their help, exit 2) has none. A word
 * after `help` that names no subcommand is a usage error naming it; words after a command
 * without subcommands are left out, as commander's help did. Any other command line is
 * returned as it is.
 */
export function helpAsOption(program: Command, argv: string[]): string[] {
  const path: string[] = [];
  let current = program;
  for (const [i, word] of argv.entries()) {
    if (word === 'help' && current.commands.length > 0 && subcommand(current, word) === undefined)
      return [...path, ...named(current, argv.slice(i + 1)), '--help'];
    const sub = subcommand(current, word);
    if (sub === undefined) return argv;
    path.push(word);
    current = sub;
  }
  return argv;
}

/** The names of the commands `words` lead to from `command`, down to one without any. */
function named(command: Command, words: string[]): string[] {
  const names: string[] = [];
  let current = command;
  for (const word of words) {
    if (current.commands.length === 0 || word.startsWith('-')) break;
    const sub = subcommand(current, word);
    if (sub === undefined) {
      const known = current.commands.map((c) => c.name()).join(', ');
      throw new CommanderError(
        2,
        'commander.unknownCommand',
        `unknown command ${quoteWord(word)} (commands: ${known})`,
      );
    }
    names.push(word);
    current = sub;
  }
  return names;
}

const subcommand = (command: Command, word: string): Command | undefined =>
  command.commands.find((c) => c.name() === word || c.aliases().includes(word));
