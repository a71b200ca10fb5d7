import { oneLine } from '../../filters/errors.js';

/** What to run: a program and its arguments, or a shell command line. */
export interface CommandSpec {
  /** Program and arguments; with `shell`, one command line for /bin/sh -c. */
  argv: string[];
  shell: boolean;
  env?: Record<string, string>;
  /** The folder it runs in (a config's, for its fans). @default manifold's working directory */
  cwd?: string;
}

/**
 * The command as a message names it, in one line: a shell string of several lines (a block
 * scalar of a config, a worker's sub-pipeline) with its line breaks made spaces.
 */
export function commandText(command: CommandSpec): string {
  return oneLine(command.argv.join(' ')).trim();
}
