import { Option } from 'commander';
import { quoteName } from '../../filters/errors.js';
import { ExitCode, UsageError } from '../../filters/index.js';
import { PROTOCOL_NAME } from '../../filters/protocol.js';
import { showWord } from '../../filters/sdk/raw-arguments.js';
import { type NameOf, workerCount } from '../options/checks.js';
import { flagOf } from '../options/fan.js';
import { checkBlockNamed, checkShellSyntax, commandOf } from '../options/fan-parts.js';
import { FAN_DEFAULTS, MAX_WORKERS } from '../options/fan-settings.js';
import { parseOkStatus, parseTimeout } from '../options/jobs.js';
import { checkJobName, checkQueueUrl, DEFAULT_JOB, jobNames } from '../workers/queue/names.js';
import { findProgram } from '../workers/which.js';
import { refuseCommandBytes } from './command-bytes.js';
import { CliError } from './errors.js';
import { loadPart } from './load.js';
import { shellHint } from './shell-hint.js';
import { onStopSignals, statusOf } from './status.js';
import { resolvingLine } from './usage-help.js';

/** How long a queue worker waits for its server at the start, by default (`--connect-timeout`). */
const DEFAULT_CONNECT_TIMEOUT = '30s';
/** How long a queue worker takes no block after a process failed to start, by default. */
const DEFAULT_START_BACKOFF = '5s';

/** The options of `manifold worker` for a queue. */
export function queueWorkerOptions(): Option[] {
  return [
    new Option(
      '--queue <url>',
      'the NATS JetStream server of the job: nats://host:4222 (nats://user:password@host:4222 if it asks)',
    ),
    new Option('--job <name>', "the job to serve: the coordinator's --job").default(DEFAULT_JOB),
    new Option(
      '-j, --workers <n>',
      `blocks run at once on this machine, at most ${MAX_WORKERS}; or +N, -N, N% of its CPUs`,
    ).default(FAN_DEFAULTS.workers, 'the number of CPUs'),
    new Option('--per-block', 'a fresh process for each block (the default)'),
    new Option(
      '--one-to-one',
      'persistent processes that write exactly one output record per input record',
    ),
    new Option('--protocol <name>', "persistent SDK filters that tie output to blocks: 'manifold'"),
    new Option(
      '--shell',
      "run the command with /bin/sh -c, so it can be 'sort | uniq -c' (one sh -n cannot parse is refused)",
    ),
    new Option(
      '--ok-status <list>',
      'exit statuses that are not failures, besides 0: 0,1 for grep',
    ),
    new Option('--tag', "prefix each line of a process's stderr with its slot number and a TAB"),
    new Option(
      '--queue-timeout <duration>',
      'how long the server may be unreachable (a restart inside it resumes) before the worker exits 1',
    ).default('60s'),
    new Option(
      '--connect-timeout <duration>',
      'how long to wait for a server not up yet (refused, no answer) at the start; 0: not at all',
    ).default(`${DEFAULT_CONNECT_TIMEOUT}`),
    new Option(
      '--start-backoff <duration>',
      'after a process fails to start here (not found, not executable, no processes left), take no block for this long, so that another machine tries the block first; 0: at once',
    ).default(DEFAULT_START_BACKOFF),
    new Option('--verbose', 'say what the worker waits for and what it retries, on stderr'),
  ];
}

export const WORKER_QUEUE_HELP = `
The command is this worker's own: nothing on the queue can make it run another. It serves the
job until its coordinator finishes it (it waits for a job that has not started), then exits 0.

Tables the coordinator gave (manifold fan --queue ... --table NAME=PATH) are fetched from the
queue's Object Store into this machine's cache ($XDG_CACHE_HOME/manifold/files, by content
hash: once per machine) before the first block; the command finds each as MANIFOLD_TABLE_<NAME>.
A table that cannot be fetched is one line, exit 1, and a notice to the coordinator.

A server not up yet (connection refused, no answer) is waited for, up to --connect-timeout
(default ${DEFAULT_CONNECT_TIMEOUT}), so that workers can start with their server: one line says so at once.

A block whose process cannot start here (its command gone or not executable, no processes left)
fails that try and goes back to the queue; this worker then takes no block for --start-backoff
(default ${DEFAULT_START_BACKOFF}), so that another machine gets it first, and gives back the blocks it pulled
ahead untried. A block given back untried (these, or a stopped worker's) costs it no try.

Exit status: 0 the job is finished; 1 the queue cannot be reached (past --connect-timeout), has
no JetStream or was gone past --queue-timeout, or a table of the job cannot be fetched; 2 usage error; 127 command not
found (one line naming the job, said at once, then told to the job's coordinator: a job not
started yet is waited for); 130 or 143 after
SIGINT or SIGTERM (its blocks go back to the queue at once, untried; its processes are stopped).

Examples:
  manifold worker --queue nats://10.0.0.5:4222 -- gzip -c
  manifold worker --queue nats://queue:4222 --job logs -j 8 --shell -- 'grep ERROR | cut -f3'
  manifold worker --queue nats://queue:4222 --protocol manifold -- mf-map 'r.toUpperCase()'
  manifold worker --queue nats://queue:4222 --one-to-one -- tr a-z A-Z
  manifold worker --queue nats://queue:4222 --job enrich -- mf-join --table users --key field:3
  manifold worker --queue nats://queue:4222 --queue-timeout 5m -- gzip -c

See docs/queue.md.`;

/**
 * A `manifold worker --queue` command line resolved: the job it serves and how it runs its
 * command, or the UsageError that refuses it, pointing at the help.
 */
export function resolveQueueWorkerCommandLine(argv: string[], raw: Record<string, unknown>) {
  return resolvingLine(WORKER, () => {
    if (raw.queue === undefined)
      throw new UsageError('manifold worker needs --queue <url>: the queue whose blocks it runs');
    if (argv.length === 0)
      throw new UsageError(
        'missing the command: manifold worker --queue <url> -- <command> [args...]',
      );
    const url = checkQueueUrl(String(raw.queue));
    const timeoutMs = parseTimeout(raw.queueTimeout, () => '--queue-timeout');
    const connectMs = zeroOrDuration(raw.connectTimeout, '--connect-timeout', 'no wait');
    const startBackoffMs = zeroOrDuration(raw.startBackoff, '--start-backoff', 'at once');
    const names = jobNames(checkJobName(String(raw.job)));
    const workers = workerCount(raw.workers, '-j, --workers');
    const ways = [
      raw.perBlock && '--per-block',
      raw.oneToOne && '--one-to-one',
      raw.protocol !== undefined && '--protocol',
    ].filter(Boolean);
    if (ways.length > 1)
      throw new UsageError(
        `choose one of --per-block, --one-to-one and --protocol (got ${ways.join(' and ')})`,
      );
    if (raw.protocol !== undefined && raw.protocol !== PROTOCOL_NAME)
      throw new UsageError(
        `--protocol ${quoteName(String(raw.protocol))} is unknown: the one protocol is '${PROTOCOL_NAME}'`,
      );
    const shell = raw.shell === true;
    if (raw.protocol !== undefined && shell)
      throw new UsageError(
        `--protocol needs a command run directly: manifold adds --protocol ${PROTOCOL_NAME} to its arguments, which --shell cannot`,
      );
    const attribution = raw.oneToOne
      ? ('one-to-one' as const)
      : raw.protocol !== undefined
        ? ('protocol' as const)
        : ('per-block' as const);
    // Checked as a fan's command is: blanks for --shell, an empty program, the shell's syntax.
    const command = commandOf({ command: argv, shell }, workerFlagOf);
    checkShellSyntax(command, workerFlagOf);
    refuseCommandBytes(command, 'process', true);
    checkBlockNamed(command, attribution, workerFlagOf);
    const okStatus =
      raw.okStatus === undefined ? [0] : parseOkStatus(raw.okStatus, () => '--ok-status');
    return {
      url,
      timeoutMs,
      connectMs,
      startBackoffMs,
      names,
      workers,
      attribution,
      shell,
      command,
      okStatus,
    };
  });
}

/** `--connect-timeout`, `--start-backoff`: 0 (`zero`) or a duration, as --timeout takes it; ms. */
function zeroOrDuration(value: unknown, flag: string, zero: string): number {
  if (String(value) === '0') return 0;
  try {
    return parseTimeout(value, () => flag);
  } catch (error) {
    throw new UsageError(
      `${flag} must be 0 (${zero}) or a duration from 1ms to 24 days: seconds (30, 2.5) or with a unit (300ms, 30s, 5m) (got ${quoteName(String(value))})`,
      error,
    );
  }
}

/** The command line's spelling, as the fan's; its command is the one after `--`. */
const workerFlagOf: NameOf = (option, value) =>
  option === 'command' ? 'the command' : flagOf(option, value);

/** The command whose help its usage errors point at. */
export const WORKER = 'manifold worker';

/** `manifold worker --queue`: serves a job; resolves to the exit status. */
export async function runQueueWorker(
  argv: string[],
  raw: Record<string, unknown>,
): Promise<number> {
  const resolved = resolveQueueWorkerCommandLine(argv, raw);
  const { url, timeoutMs, connectMs, names, workers, attribution, shell, command } = resolved;
  const log = raw.verbose
    ? (line: string) => process.stderr.write(`manifold: ${line}\n`)
    : () => {};
  // The queue's client (NATS) loads only when a queue is used: not on every start of manifold.
  const [{ connectQueue }, { serveQueue }, { whenGone }, { cannotRun, tellCoordinator }] =
    await loadPart(() =>
      Promise.all([
        import('../workers/queue/connect.js'),
        import('../queue/serve.js'),
        import('../workers/queue/gone.js'),
        import('../queue/cannot-run.js'),
      ]),
    );
  // A command not found is said at once, then told to the job's coordinator (cannot-run.ts).
  const program = shell ? null : findProgram(argv[0]!);
  const missing =
    program !== null && 'problem' in program
      ? cannotRun(names, showWord(argv[0]!), `${program.problem}${hintOf(argv)}`)
      : null;
  if (missing !== null) process.stderr.write(`manifold: ${missing.line}\n`);
  // A worker that cannot run its command says so and goes: it does not wait for a server.
  const first = {
    waitMs: missing === null ? connectMs : 0,
    waiting: (line: string) => process.stderr.write(`manifold: ${line}\n`),
  };
  const conn = await connectQueue(url, log, first).catch((error: unknown) => {
    // Its line said, a worker that cannot run its command has no more to say of the queue.
    if (missing !== null) return null;
    throw error;
  });
  if (conn === null) return ExitCode.notFound;
  const stop = new AbortController();
  let gone: Error | null = null;
  whenGone(conn, timeoutMs, `the worker for job "${names.job}"`).then((error) => {
    gone = error;
    stop.abort();
  });
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = signal;
    stop.abort();
  };
  onStopSignals(onSignal);
  try {
    const options = { conn, names, log, signal: stop.signal };
    if (missing !== null) await tellCoordinator(options, missing.notice);
    else
      await serveQueue({
        ...options,
        workers,
        command,
        attribution,
        okStatus: resolved.okStatus,
        startBackoffMs: resolved.startBackoffMs,
        tag: raw.tag === true,
      });
  } catch (error) {
    // What failed with the connection closed under it: the line to say is the server's going.
    if (gone === null) throw notFound(error, missing !== null);
  } finally {
    await conn.close();
  }
  if (gone !== null) throw notFound(gone, missing !== null);
  if (signalled !== null) return statusOf({ kind: 'signal', signal: signalled });
  return missing === null ? ExitCode.ok : ExitCode.notFound;
}

/** A worker whose command was not found exits 127 whatever else went wrong: its line is said. */
function notFound(error: unknown, missing: boolean): unknown {
  if (!missing || !(error instanceof Error)) return error;
  return new CliError(error.message, ExitCode.notFound);
}

/** What a shell would make of a command not found, as a hint in parentheses; '' for none. */
function hintOf(argv: string[]): string {
  const hint = shellHint(argv);
  return hint ? ` (${hint})` : '';
}
