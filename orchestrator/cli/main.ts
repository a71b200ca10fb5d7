import { writeSync } from 'node:fs';
import { CommanderError } from 'commander';
import { describeError, ExitCode, exitCodeOf } from '../../filters/index.js';
import { argumentWords } from '../../filters/sdk/raw-arguments.js';
import { exitAfterStderr } from './exit.js';
import { printed } from './printed.js';
import { failureSaid, manifoldProgram, parseCommandLine, refusal, sayLine } from './program.js';
import { dieOf } from './signals.js';

// The `manifold` command. This is the edge: the only place that turns errors into exit
// statuses and exits the process. The program itself, and how a command line is refused, are
// program.ts's.

function say(message: string): void {
  process.stderr.write(sayLine(message));
}

async function main(given: string[]): Promise<number> {
  const argv = argumentWords(given);
  let running: Promise<number> | null = null;
  const start = (status: Promise<number>) => {
    running = status;
  };
  const program = manifoldProgram(argv, start);
  try {
    parseCommandLine(program, argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const { status, line } = refusal(error, program, argv);
      if (line !== null) say(line);
      return status === ExitCode.ok ? await shownStatus() : status;
    }
    throw error;
  }
  if (running === null) {
    program.outputHelp();
    return ExitCode.usage;
  }
  // Should the work end without settling (a bug: every part of it waiting on another, and
  // nothing left to wake it), Node would exit by itself with 0: not so, nor silently.
  process.exitCode = ExitCode.failure;
  const stalled = () => writeSync(2, sayLine(STALLED));
  process.once('exit', stalled);
  try {
    return await running;
  } catch (error) {
    const { text, status } = failureSaid(error);
    process.stderr.write(text);
    if (process.env.MANIFOLD_DEBUG && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    return status;
  } finally {
    process.removeListener('exit', stalled);
  }
}

/** `--help` or `--version` shown: 0 once written; its reader gone, SIGPIPE as any output's. */
async function shownStatus(): Promise<number> {
  try {
    return await printed('');
  } catch (error) {
    say(describeError(error));
    return exitCodeOf(error);
  }
}

const STALLED =
  'internal error: the run stopped with nothing left to wake it, its work unfinished (a bug: please report it, with the command)';

// What manifold writes to stderr that does not get there (`2>/dev/full`) is lost words: a
// `--stats -` or `--joblog -` document, a worker's lines under --tag, --verbose. A run that
// otherwise succeeded then fails (1), as a coreutils program whose stderr fails at its close;
// there is nowhere to say why. Its reader gone (EPIPE), it dies of SIGPIPE, as a shell's
// program writing there would (during a run, signals.ts stops the run so).
let stderrLost: Error | null = null;
process.stderr.on('error', (error) => {
  stderrLost = error;
});
// `errored` is set as the write fails; the event comes a tick later, after a run's last write.
const stderrError = () => (stderrLost ?? process.stderr.errored) as NodeJS.ErrnoException | null;

/** Exits with `status`, or as stderr's loss says where the run otherwise succeeded. */
function exitAs(status: number): void {
  const lost = status === ExitCode.ok ? stderrError() : null;
  if (lost?.code === 'EPIPE') dieOf('SIGPIPE');
  process.exit(lost === null ? status : ExitCode.failure);
}

main(process.argv.slice(2)).then(
  (status) => {
    // Should the loop empty while stderr is written, Node's own exit says this status.
    process.exitCode = status;
    // Asked as it exits: the last write may fail after the run's end.
    exitAfterStderr(status, process.stderr, exitAs);
  },
  (error: unknown) => {
    say(describeError(error));
    process.exit(ExitCode.failure);
  },
);
