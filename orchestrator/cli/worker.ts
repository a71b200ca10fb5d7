import { Command, Option } from 'commander';
import { quoteName, quoteWord } from '../../filters/errors.js';
import { ExitCode, UsageError, wholeNumber } from '../../filters/index.js';
import { manifoldVersion } from '../../filters/sdk/cli.js';
import { MAX_TIMER_MS } from '../options/jobs.js';
import { probeLine } from '../remote/cache.js';
import { loadPart } from './load.js';
import { resolvingLine } from './usage-help.js';
import { queueWorkerOptions, runQueueWorker, WORKER, WORKER_QUEUE_HELP } from './worker-queue.js';
import { refuseOtherUse } from './worker-uses.js';

/**
 * `manifold worker`: the far side of a fan that runs elsewhere. With `--stdio` (and `--probe`,
 * `--receive`), a remote host's side of `manifold fan --host`, started over SSH (docs/hosts.md);
 * with `--queue`, a job of a NATS JetStream queue served through this machine's own command
 * (worker-queue.ts, docs/queue.md). Running it resolves to the exit status.
 */
export function workerCommand(run: (status: Promise<number>) => void): Command {
  const command = new Command('worker')
    .description(
      "Run blocks of a fan that runs elsewhere: a host's side of manifold fan --host (--stdio, started over SSH), or a worker of a queue's job (--queue <url> -- <command>).",
    )
    .usage('--queue <url> [options] -- <command> [args...]  |  --stdio')
    .argument(
      '[command...]',
      'with --queue: the command each block runs through, and its arguments',
    )
    .passThroughOptions()
    .addOption(
      new Option('--stdio', 'speak the framed block protocol on stdin and stdout (docs/hosts.md)'),
    )
    .addOption(
      new Option(
        '--probe',
        'say this version and its cache folder, then wait for stdin to end (a connection check)',
      ),
    )
    .addOption(
      new Option(
        '--receive',
        'take shipped files (framed) on stdin into the cache folder, by content hash',
      ),
    )
    .addOption(
      new Option('--heartbeat <ms>', 'with --stdio: say it is alive this often').default('1000'),
    )
    .addOption(
      new Option(
        '--host-timeout <ms>',
        'with --stdio: give up (stopping its command) after hearing nothing for this long',
      ).default('30000'),
    );
  for (const option of queueWorkerOptions()) command.addOption(option);
  return command
    .addHelpText(
      'after',
      `
With --stdio (run by manifold fan --host over SSH, not by hand):
Exit status: 0 the coordinator closed the session; 1 it went silent, or spoke no frames; 2 usage
(an option of --queue among them: each use refuses the other's options).

Examples:
  manifold fan --host h1 --host h2 -- cat   # starts 'manifold worker --stdio' on h1 and h2
  ssh h1 manifold worker --probe < /dev/null  # checks that h1 has manifold

See docs/hosts.md.

With --queue:${WORKER_QUEUE_HELP}`,
    )
    .action((argv: string[], raw: Record<string, unknown>, self: Command) =>
      run(runWorker(argv, raw, self)),
    );
}

async function runWorker(
  argv: string[],
  raw: Record<string, unknown>,
  command: Command,
): Promise<number> {
  resolvingLine(WORKER, () => refuseOtherUse(raw, command));
  return raw.queue === undefined ? runRemoteWorker(argv, raw) : runQueueWorker(argv, raw);
}

async function runRemoteWorker(argv: string[], raw: Record<string, unknown>): Promise<number> {
  if (raw.probe) {
    process.stdout.write(`${probeLine(manifoldVersion())}\n`);
    process.stdin.resume();
    await new Promise((resolve) => process.stdin.once('end', resolve));
    return ExitCode.ok;
  }
  if (raw.receive) {
    const { receiveStdio } = await loadPart(() => import('../remote/receive.js'));
    return receiveStdio(process.stdin, process.stdout);
  }
  const { heartbeat, timeout } = resolveStdioWorkerCommandLine(argv, raw);
  // Stopped by its coordinator (or a lost connection), never by a terminal's signal.
  process.on('SIGHUP', () => process.stdin.destroy());
  const { serveStdio } = await loadPart(() => import('../remote/serve.js'));
  return serveStdio({ input: process.stdin, output: process.stdout, heartbeat, timeout });
}

/**
 * A `manifold worker --stdio` command line resolved (its heartbeat and host timeout, in ms), or
 * the UsageError that refuses it, pointing at the help; one with neither --queue nor --stdio too.
 */
export function resolveStdioWorkerCommandLine(
  argv: string[],
  raw: Record<string, unknown>,
): { heartbeat: number; timeout: number } {
  return resolvingLine(WORKER, () => {
    if (!raw.stdio) {
      throw new UsageError(
        'manifold worker needs --queue <url> -- <command>, or --stdio (run by manifold fan --host)',
      );
    }
    if (argv.length > 0) {
      throw new UsageError(
        `manifold worker --stdio takes no command (got ${quoteWord(argv.join(' '))}): the coordinator sends it`,
      );
    }
    return {
      heartbeat: milliseconds(raw.heartbeat, '--heartbeat'),
      timeout: milliseconds(raw.hostTimeout, '--host-timeout'),
    };
  });
}

/** A whole number of milliseconds a timer can keep: a longer one (Node's warning) fired at once. */
function milliseconds(value: unknown, option: string): number {
  const ms = wholeNumber(value);
  if (!(ms > 0 && ms <= MAX_TIMER_MS)) {
    throw new UsageError(
      `${option} must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS} (got ${quoteName(String(value))})`,
    );
  }
  return ms;
}
