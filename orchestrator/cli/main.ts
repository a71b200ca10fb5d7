import { Command, CommanderError } from 'commander';
import { oneLine } from '../../filters/errors.js';
import { describeError, ExitCode, exitCodeOf } from '../../filters/index.js';
import { manifoldVersion } from '../../filters/sdk/cli.js';
import { refuseFlagValues } from '../../filters/sdk/flag-values.js';
import {
  argumentWords,
  escapeKeptBytes,
  holdsBytes,
  notTextProblem,
} from '../../filters/sdk/raw-arguments.js';
import { ConfigError } from '../config/problems.js';
import { completionCommand } from './completion.js';
import { exitAfterStderr } from './exit.js';
import { fanCommand } from './fan.js';
import { helpAsOption } from './help-words.js';
import { applyManners, usageLine } from './manners.js';
import { refuseEndOfOptions } from './option-values.js';
import { pipelineCommands } from './pipeline-commands.js';
import { queueCommand } from './queue.js';
import { tableCommand } from './table.js';
import { workerCommand } from './worker.js';

/**
 * The `manifold` command. This is the edge: the only place that turns errors into exit
 * statuses and exits the process.
 */
const TOP_HELP_AFTER = `
Exit status: 0 success (or the output's reader went away); 1 a worker, stage or record failed;
2 usage error or a bad config; 127 command not found; 130, 143, 129, 131, 138, 140 or
142 after SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 or SIGALRM. Each command's --help has its own, and examples.

Examples:
  seq 1000000 | manifold fan -j 4 -- awk '{ print $1 * 2 }'
  manifold fan --merge ordered --input app.log -- grep -v healthcheck > kept.log
  manifold run examples/word-frequency/pipeline.yaml --set INPUT=- < README.md
  manifold table build users.tsv --key field:1 -o users.mft
  manifold help fan

See README.md and docs/.`;

/**
 * Says a failure in one line, as the filters do (sdk/run.ts): a value given with a line break
 * in it (`-j $'1\n2'`, an `--input` named so) made the rest of the message a line of its own.
 */
function say(message: string): void {
  // A word it quotes may keep bytes that are not UTF-8 (raw-arguments.ts): said as `\xHH`.
  process.stderr.write(`manifold: ${oneLine(escapeKeptBytes(message))}\n`);
}

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

async function main(given: string[]): Promise<number> {
  const argv = argumentWords(given);
  let running: Promise<number> | null = null;
  const start = (status: Promise<number>) => {
    running = status;
  };
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
  try {
    program.parse(helpAsOption(program, argv), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      if (error.code === NOT_TEXT) {
        say(error.message);
        return ExitCode.usage;
      }
      const line = usageLine(error, program, argv);
      if (line !== null) say(line);
      return ExitCode.usage;
    }
    throw error;
  }
  if (running === null) {
    program.outputHelp();
    return ExitCode.usage;
  }
  // Should the work end without settling (a bug), Node would exit by itself with 0: not so.
  process.exitCode = ExitCode.failure;
  try {
    return await running;
  } catch (error) {
    // A config's problems are lines of their own, each `<file>:<line>:<column>: ...`.
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else say(describeError(error));
    if (process.env.MANIFOLD_DEBUG && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    // Should the loop empty while stderr is written, Node's own exit says this status.
    process.exitCode = status;
    exitAfterStderr(status);
  },
  (error: unknown) => {
    say(describeError(error));
    process.exit(ExitCode.failure);
  },
);
