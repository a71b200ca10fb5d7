import { type Command, CommanderError } from 'commander';
import { FAN, givenOptions, resolveFanCommandLine } from '../../orchestrator/cli/fan.js';
import { refuseQueueOptions } from '../../orchestrator/cli/fan-queue.js';
import {
  failureSaid,
  manifoldProgram,
  parseCommandLine,
  refusal,
  sayLine,
} from '../../orchestrator/cli/program.js';
import { resolvingLine } from '../../orchestrator/cli/usage-help.js';

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
  return said(args, new Map());
}

/** The fan's command line passed the checks made before any file is looked at: it would run. */
class Resolved extends Error {}

/**
 * What `manifold fan ...args` says, and its status, when its command line is refused, by
 * commander or by the checks the fan makes before any file is looked at (cli/fan.ts,
 * `resolveFanCommandLine`), found in this process by the functions the executable calls, in its
 * order, and said as its edge says it (`failureSaid`); null when the line passes them and the
 * fan would go on to its files and its run (and for `--queue`, whose checks are their own). Run
 * in `cwd` (a value may be a path), as the process would be. cli-bad-input-property compares it
 * with the process on lines drawn at random.
 */
export function fanSaidHere(args: string[], cwd?: string): Said | null {
  const check = (argv: string[], raw: Record<string, unknown>, self: Command) => {
    if (raw.queue !== undefined) throw new Resolved();
    // As runFan logs under --verbose, before its first check.
    const log = raw.verbose
      ? (line: string) => {
          logged += `manifold: ${line}\n`;
        }
      : () => {};
    resolvingLine(FAN, () => refuseQueueOptions(self));
    resolveFanCommandLine(argv, givenOptions(raw, self), log);
    throw new Resolved();
  };
  let logged = '';
  const before = process.cwd();
  if (cwd !== undefined) process.chdir(cwd);
  try {
    return said(['fan', ...args], new Map([['fan', check]]), () => logged);
  } finally {
    process.chdir(before);
  }
}

type Action = (argv: string[], raw: Record<string, unknown>, self: Command) => void;

function said(
  args: string[],
  actions: Map<string, Action>,
  logged: () => string = () => '',
): Said | null {
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
    if (command.commands.length === 0) command.action(actions.get(command.name()) ?? (() => {}));
  }
  try {
    parseCommandLine(program, args);
    return null;
  } catch (error) {
    if (error instanceof Resolved) return null;
    if (!(error instanceof CommanderError)) {
      if (actions.size === 0) throw error;
      const { text, status } = failureSaid(error);
      return { exitCode: status, stdout, stderr: stderr + logged() + text };
    }
    const { status, line } = refusal(error, program, args);
    return { exitCode: status, stdout, stderr: stderr + (line === null ? '' : sayLine(line)) };
  }
}

/** Every command below `command`, down to those with no subcommands. */
function below(command: Command): Command[] {
  return (command.commands as Command[]).flatMap((sub) => [sub, ...below(sub)]);
}
