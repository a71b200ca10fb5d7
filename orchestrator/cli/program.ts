import { Command, CommanderError } from 'commander';
import { oneLine } from '../../filters/errors.js';
import { describeError, ExitCode, exitCodeOf } from '../../filters/index.js';
import { manifoldVersion } from '../../filters/sdk/cli.js';
import { refuseFlagValues } from '../../filters/sdk/flag-values.js';
import { escapeKeptBytes, holdsBytes, notTextProblem } from '../../filters/sdk/raw-arguments.js';
import { ConfigError } from '../config/problems.js';
import { completionCommand } from './completion.js';
import { fanCommand } from './fan.js';
import { helpAsOption } from './help-words.js';
import { applyManners, usageLine } from './manners.js';
import { refuseEndOfOptions } from './option-values.js';
import { pipelineCommands } from './pipeline-commands.js';
import { queueCommand } from './queue.js';
import { tableCommand } from './table.js';
import { workerCommand } from './worker.js';

// The `manifold` program and how its command line is read and refused: main.ts runs it and
// turns what it says into the process's stderr and status; the tests check most usage errors
// here, in their own process, against the very functions (cli-manners.test.ts).

const TOP_HELP_AFTER = `
Exit status: 0 success; 1 a worker, stage or record failed; 2 usage error or a bad config;
127 command not found; 141 (SIGPIPE, as cat) the output's reader went away; 130, 143, 129, 131, 138, 140 or
142 after SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 or SIGALRM. Each command's --help has its own, and examples.

Examples:
  seq 1000000 | manifold fan -j 4 -- awk '{ print $1 * 2 }'
  manifold fan --merge ordered --input app.log -- grep -v healthcheck > kept.log
  manifold run examples/word-frequency/pipeline.yaml --set INPUT=- < README.md
  manifold table build users.tsv --key field:1 -o users.mft
  manifold help fan

See README.md and docs/.`;

/** The commands whose last words are a worker's command, its argv (`[command...]`). */
const TAKES_COMMAND = new Set(['fan', 'worker']);

/** The CommanderError of an argument that is not UTF-8 where a worker's command is not. */
const NOT_TEXT = 'manifold.notText';

/**
 * Refuses, before `action` runs, an argument that is not UTF-8 text anywhere but in the words of
 * a worker's command (a fan's or a queue worker's, always the last of the line), which reach
 * the worker as given (raw-arguments.ts): an option's value, a pattern or a path is text.
 */
function refuseNotText(words: readonly string[], action: Command): void {
  const command = TAKES_COMMAND.has(action.name()) ? (action.processedArgs[0] as string[]) : [];
  const first = words.length - command.length;
  const at = words.findIndex((word, i) => i < first && holdsBytes(word));
  if (at !== -1) throw new CommanderError(2, NOT_TEXT, notTextProblem('manifold', at, words[at]!));
}

/**
 * The `manifold` command for the words `argv` (argumentWords): each command's action hands the
 * work it starts to `start`.
 */
export function manifoldProgram(
  argv: readonly string[],
  start: (status: Promise<number>) => void,
): Command {
  const version = manifoldVersion();
  const program = new Command('manifold')
    .description('Unix-style stream processing in parallel.')
    .version(version, '-V, --version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .addHelpText('after', TOP_HELP_AFTER)
    .addCommand(fanCommand(start));
  for (const command of pipelineCommands(start)) program.addCommand(command);
  program.addCommand(tableCommand(start));
  program.addCommand(workerCommand(start));
  program.addCommand(queueCommand(start));
  program.addCommand(completionCommand(program, start));
  applyManners(program, version);
  refuseEndOfOptions(program);
  refuseFlagValues(program);
  program.hook('preAction', (_program, action) => refuseNotText(argv, action));
  return program;
}

/** Reads `argv` with `program`, whose action runs: a usage error is thrown (`refusal`). */
export function parseCommandLine(program: Command, argv: string[]): void {
  program.parse(helpAsOption(program, argv), { from: 'user' });
}

/**
 * What the edge says of a command line commander threw `error` for: its status, and its one
 * line (null where commander said everything: help shown, on request or for want of a command).
 */
export function refusal(
  error: CommanderError,
  program: Command,
  argv: string[],
): { status: number; line: string | null } {
  if (error.exitCode === 0) return { status: ExitCode.ok, line: null };
  if (error.code === NOT_TEXT) return { status: ExitCode.usage, line: error.message };
  return { status: ExitCode.usage, line: usageLine(error, program, argv) };
}

/**
 * A failure said in one line, as the filters do (sdk/run.ts): a value given with a line break
 * in it (`-j $'1\n2'`, an `--input` named so) made the rest of the message a line of its own.
 */
export function sayLine(message: string): string {
  // A word it quotes may keep bytes that are not UTF-8 (raw-arguments.ts): said as `\xHH`.
  return `manifold: ${oneLine(escapeKeptBytes(message))}\n`;
}

/**
 * What the edge says of a command that failed with `error`, and its exit status: a config's
 * problems are lines of their own, each `<file>:<line>:<column>: ...`; anything else one line.
 */
export function failureSaid(error: unknown): { text: string; status: number } {
  const text = error instanceof ConfigError ? `${error.message}\n` : sayLine(describeError(error));
  return { text, status: exitCodeOf(error) };
}
