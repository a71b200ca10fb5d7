import { getPriority } from 'node:os';
import { oneLine, quoteForSh } from '../../filters/errors.js';
import { holdsBytes, showWord } from '../../filters/sdk/raw-arguments.js';

/** What to run: a program and its arguments, or a shell command line. */
export interface CommandSpec {
  /** Program and arguments; with `shell`, one command line for /bin/sh -c. */
  argv: string[];
  shell: boolean;
  env?: Record<string, string>;
  /** The folder it runs in (a config's, for its fans). @default manifold's working directory */
  cwd?: string;
  /** --nice: the niceness it starts at (-20 to 19). @default manifold's own */
  nice?: number;
}

/**
 * The program and arguments to start: `/bin/sh -c <line>` for a shell command, under
 * `nice -n` for a niceness other than manifold's own. nice(1) is relative to the niceness it
 * starts at, which is manifold's: the starters inherit it. It sets it and execs the command, in
 * the same process: its pid and process group are the command's.
 */
export function argvToRun(command: CommandSpec): string[] {
  const argv = command.shell ? ['/bin/sh', '-c', command.argv.join(' ')] : command.argv;
  if (command.nice === undefined) return argv;
  const by = command.nice - getPriority();
  return by === 0 ? argv : ['nice', '-n', String(by), '--', ...argv];
}

/**
 * The command as a message names it, in one line: a shell string of several lines (a block
 * scalar of a config, a worker's sub-pipeline) with its line breaks made spaces, and a word
 * with bytes that are not UTF-8 in `$'...'` (`grep $'\xe9'`).
 */
export function commandText(command: CommandSpec): string {
  return oneLine(command.argv.map(showWord).join(' ')).trim();
}

/** Whether a word of `command` has bytes that are not UTF-8, to reach it as given. */
export function commandHoldsBytes(command: CommandSpec): boolean {
  return command.argv.some(holdsBytes);
}

/** Where a block's file goes in a command (--cat, --fifo), as GNU parallel's `{}`. */
const PLACE = '{}';

/**
 * The command with `path` in place of each `{}`: within a word of an argv (`x{}y` too), or in
 * the shell's line quoted as /bin/sh reads it back, so a path with blanks stays one word. A
 * command with no `{}` gets the path as its last word, as GNU parallel's `--cat` does.
 */
export function commandWithFile(command: CommandSpec, path: string): CommandSpec {
  const word = command.shell ? quoteForSh(path) : path;
  const placed = command.argv.some((arg) => arg.includes(PLACE));
  const argv = placed
    ? command.argv.map((arg) => arg.replaceAll(PLACE, word))
    : [...command.argv, word];
  return { ...command, argv };
}
