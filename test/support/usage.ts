import { type Command, CommanderError } from 'commander';
import {
  manifoldProgram,
  parseCommandLine,
  refusal,
  sayLine,
} from '../../orchestrator/cli/program.js';

/** What a command line that commander ended says: its status, stdout and stderr. */
export interface Said {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * What `manifold ...args` says, and its status, when commander ends its command line (a usage
 * error, help, the version), found in this process by the functions the executable reads its
 * command line with (cli/program.ts) and said as its edge says it (cli/main.ts); null when the
 * line is read and a command would run. No command runs: the action of every command without
 * subcommands is replaced by none.
 * Words are taken as UTF-8 text (the executable reads bytes that are not from /proc/self/cmdline).
 */
export function saidHere(args: string[]): Said | null {
  const program = manifoldProgram(args, () => {
    throw new Error('a command started');
  });
  let stdout = '';
  let stderr = '';
  for (const command of [program, ...below(program)]) {
    // As the executable writes to pipes, whatever this process's own stdout is: no colours, and
    // help 80 columns wide.
    command.configureOutput({
      getOutHelpWidth: () => 80,
      getErrHelpWidth: () => 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      writeOut: (text) => {
        stdout += text;
      },
      writeErr: (text) => {
        stderr += text;
      },
    });
    if (command.commands.length === 0) command.action(() => {});
  }
  try {
    parseCommandLine(program, args);
    return null;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const { status, line } = refusal(error, program, args);
    return { exitCode: status, stdout, stderr: stderr + (line === null ? '' : sayLine(line)) };
  }
}

/** Every command below `command`, down to those with no subcommands. */
function below(command: Command): Command[] {
  return (command.commands as Command[]).flatMap((sub) => [sub, ...below(sub)]);
}
