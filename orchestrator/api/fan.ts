import { ExitCode, ManifoldError, UsageError } from '../../filters/index.js';
import { Fan } from '../fan/engine.js';
import type { FanOptions as EngineOptions, Log } from '../fan/options.js';
import type { FanSummary } from '../fan/stats.js';
import { parseTableBindings } from '../fan/tables.js';
import {
  FAN_SETTING_NAMES,
  type FanSettings,
  resolveFanSettings,
  settingNameOf,
} from '../options/fan.js';
import { checkShellSyntax } from '../options/fan-parts.js';
import {
  HOST_SETTING_NAMES,
  type HostSettings,
  relativeSlotsProblem,
  resolveHostSettings,
  runsHere,
} from '../options/hosts.js';
import { checkStatsTarget } from '../options/inputs.js';
import { notOnHosts } from '../options/not-on-hosts.js';
import {
  QUEUE_SETTING_NAMES,
  type QueueSettings,
  type QueueTarget,
  resolveQueueSettings,
} from '../options/queue.js';
import { helpersEnded } from '../workers/registry.js';
import type { RemoteSettings } from '../workers/ssh/hosts.js';
import { HostPool } from '../workers/ssh/pool.js';
import { findProgram } from '../workers/which.js';
import { readCallerInput } from './caller-input.js';
import { checkEnv, checkHostsNamed, checkNames, type Elsewhere } from './checks.js';
import { AbortError, OutputClosedError, RunError } from './errors.js';
import { checkOutput, type Input, type Output, openOutput, resolveInput } from './io.js';
import { outputEndFailure } from './output-end.js';
import {
  type ApiReporter,
  checkReporter,
  checkStderr,
  type StderrOption,
  toEngine,
} from './report.js';
import { StderrTail } from './stderr-tail.js';

/**
 * A fan's options: `manifold fan`'s settings in camelCase, and where its words go. With `queue`,
 * no `command`: the workers are `manifold worker --queue` processes, each with its own.
 */
export interface FanOptions extends Omit<FanSettings, 'command'>, HostSettings, QueueSettings {
  /** The worker command (see FanSettings); required, but with `queue`, refused. */
  command?: FanSettings['command'];
  /** Environment variables for the workers, over the process's own. */
  env?: Record<string, string>;
  /**
   * Where the workers' stderr goes. `'collect'`: nowhere but a failure's error, which ends with
   * the last lines each failing worker wrote. `'inherit'`: the process's stderr (fd 2), as on
   * the command line. A Writable: copied into it line by line (after the worker's number and a
   * TAB with `tag`). @default 'collect'
   */
  stderr?: StderrOption;
  /**
   * Where manifold's own words go: each failure's line (`manifold: worker 2 ... exited with
   * status 1`), `verbose` lines, `stats: '-'`, `joblog: '-'` and the `progress` line (drawn
   * only when it is a terminal). `process.stderr` gives the command line's behaviour. @default
   * none: failures reach the rejected error only; `verbose`, `progress`, `stats`/`joblog: '-'`
   * are refused
   */
  reporter?: ApiReporter;
}

/** Where a fan reads and writes, and what stops it. */
export interface FanIO {
  /**
   * The input: a Readable, a file path, a list of paths read in order, or a descriptor (the
   * caller's: left open).
   */
  input: Input;
  /**
   * The output: a Writable (ended at the end, unless it is process.stdout or stderr), a file
   * path (created or truncated), or a descriptor (the caller's: left open).
   */
  output: Output;
  /** Stops the run: the workers are stopped and the promise rejects with an AbortError. */
  signal?: AbortSignal;
}

const OPTION_NAMES = new Set<string>([
  ...FAN_SETTING_NAMES,
  ...HOST_SETTING_NAMES,
  ...QUEUE_SETTING_NAMES,
  ...['env', 'stderr', 'reporter'],
]);

/**
 * Runs a fan: cuts `input` into blocks at record boundaries, farms them to `workers` copies of
 * `command`, writes their output to `output`. Resolves to the run's summary (the --stats
 * document); rejects with a ManifoldError whose `code` says why: `manifold.usage` (an option,
 * with its name), `manifold.notFound`, `manifold.failure` (a RunError naming the worker, with
 * its stderr's last lines), `manifold.aborted`, `manifold.outputClosed`.
 */
export async function fan(options: FanOptions, io: FanIO): Promise<FanSummary> {
  const prepared = prepareFan(options, io, ['input', 'output', 'signal']);
  const engineInput = resolveInput(io.input);
  checkOutput(io.output, engineInput.inputs);
  if (io.signal?.aborted) throw new AbortError(io.signal.reason);
  if (prepared.options.stats !== null && prepared.options.stats !== '-')
    checkStatsTarget(prepared.options.stats, 'stats');
  const engineOutput = openOutput(io.output);
  const reading = readCallerInput(engineInput);
  const { inputs, size, ...rest } = reading.engine;
  try {
    return await runFan(
      { ...prepared.options, inputs, ...rest, ...engineOutput },
      prepared,
      size,
      io,
    );
  } finally {
    reading.release();
  }
}

/** A fan checked and ready: the engine's options, its log, and what collects failures. */
export interface PreparedFan {
  options: EngineOptions;
  log: Log;
  failures: string[];
  tail: StderrTail | null;
  /** The hosts to run on (docs/hosts.md), connected when the fan runs; null: this machine. */
  remote: RemoteSettings | null;
  /** The queue the blocks go to (docs/queue.md), connected when the fan runs; null: none. */
  queue: QueueTarget | null;
}

/** Checks everything a fan's caller gave but the I/O, which is each form's own. */
export function prepareFan(
  options: FanOptions,
  io: object,
  ioNames: string[],
  notTaken: Elsewhere[] = [],
): PreparedFan {
  if (typeof options !== 'object' || options === null)
    throw new UsageError('options must be an object with at least a command');
  if (typeof io !== 'object' || io === null)
    throw new UsageError(`the second argument must be an object: { ${ioNames.join(', ')} }`);
  checkNames(options, OPTION_NAMES, 'option', [
    {
      names: ioNames,
      said: `it is an I/O option, given in the second argument ({ ${ioNames.join(', ')} })`,
    },
    ...notTaken,
  ]);
  checkNames(io, ioNames, 'I/O option', [
    { names: OPTION_NAMES, said: 'it is an option, given in the first argument with the command' },
    ...notTaken,
  ]);
  const { signal } = io as { signal?: unknown };
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new UsageError('signal must be an AbortSignal');
  const reporter = checkReporter(options.reporter, options);
  const stderr = checkStderr(options.stderr);
  const failures: string[] = [];
  const log: Log = options.verbose ? (line) => reporter!.write(`manifold: ${line}\n`) : () => {};
  const queue = resolveQueueSettings(options as QueueSettings & Record<string, unknown>, (n) => n);
  // A queue's blocks run under its workers' commands: the engine's is a placeholder, never run.
  const settings = queue === null ? options : { ...options, command: ['queue'], table: undefined };
  const resolved = resolveFanSettings(settings as FanSettings, settingNameOf, log);
  // env is added to the fan's own variables, which win: its tables' MANIFOLD_TABLE_<NAME> and
  // tmpdir's TMPDIR (as parallel's --tmpdir sets it): a worker given table and env still finds
  // its table. All of it goes over process.env (slot-env.ts).
  if (options.env !== undefined)
    resolved.command.env = { ...checkEnv(options.env), ...resolved.command.env };
  const tables = parseTableBindings(options.table ?? [], 'table');
  const remote = resolveHostSettings(checkHostsNamed(options), resolved.workers, (n) => n, tables);
  const relative = remote && relativeSlotsProblem(options.workers, 'workers', 'hosts');
  if (relative) throw new UsageError(relative);
  const refused = remote && notOnHosts(resolved, settingNameOf, 'hosts');
  if (refused) throw refused;
  // A thread's module was found and checked with the options; a host's command, on the host.
  if (queue === null && runsHere(remote)) checkShellSyntax(resolved.command, settingNameOf);
  if (!resolved.command.shell && resolved.kind !== 'thread' && remote === null && queue === null) {
    const program = findProgram(resolved.command.argv[0]!);
    if ('problem' in program) {
      throw new ManifoldError(
        'manifold.notFound',
        `${resolved.command.argv[0]}: ${program.problem}`,
        { exitCode: ExitCode.notFound },
      );
    }
  }
  const tail = stderr === 'collect' ? new StderrTail(true) : null;
  const engine = toEngine(reporter, failures, stderr, tail, resolved.tag);
  // The summary counts the output too, as --stats does.
  // Its messages name options as the caller wrote them (`raise it with maxRecord`).
  const engineOptions = { ...resolved, ...engine, countOutput: true, optionName: settingNameOf };
  return { options: engineOptions, log, failures, tail, remote, queue };
}

/** Runs a prepared fan to its end, and settles as its end says. */
export async function runFan(
  options: EngineOptions,
  prepared: PreparedFan,
  size: number | null,
  io: { signal?: AbortSignal | undefined; output?: unknown },
): Promise<FanSummary> {
  if (prepared.queue !== null) return runQueue(options, prepared, size, io);
  const pool = prepared.remote === null ? null : await connectHosts(prepared, options, io.signal);
  if (io.signal?.aborted) {
    await pool?.remote.close();
    throw new AbortError(io.signal.reason);
  }
  try {
    return await runOn(pool === null ? options : { ...options, ...pool }, prepared, size, io);
  } finally {
    await pool?.remote.close();
  }
}

/** Runs a fan whose blocks go to a queue's job; a job stopped (aborted) stays, to be resumed. */
async function runQueue(
  options: EngineOptions,
  prepared: PreparedFan,
  size: number | null,
  io: { signal?: AbortSignal | undefined; output?: unknown },
): Promise<FanSummary> {
  // The queue's client (NATS) loads only when a queue is used: not on every start of manifold.
  const { openQueueJob } = await import('../queue/open.js');
  const job = await openQueueJob(prepared.queue!, options, prepared.log);
  let finished = true;
  // A job that is not this input's (another header) stops the run as an abort would, and says why.
  const stop = new AbortController();
  let refused: Error | null = null;
  job.refused.then((error) => {
    refused = error;
    stop.abort();
  });
  const signal = io.signal === undefined ? stop.signal : AbortSignal.any([io.signal, stop.signal]);
  try {
    return await runOn(job.options, prepared, size, { ...io, signal });
  } catch (error) {
    if (error instanceof AbortError) finished = false;
    throw refused ?? error;
  } finally {
    await job.close(finished);
  }
}

/** Connects a fan's hosts, its failures said as the engine's are. */
async function connectHosts(
  prepared: PreparedFan,
  options: EngineOptions,
  signal: AbortSignal | undefined,
) {
  const reporter = options.reporter;
  const say = (line: string) => {
    prepared.failures.push(line);
    if (reporter?.failure !== undefined) reporter.failure(line);
    else reporter?.write(`manifold: ${line}\n`);
  };
  const remote = await HostPool.connect(prepared.remote!, { say, log: prepared.log }, signal);
  return { kind: 'ssh', remote, workers: remote.slots };
}

async function runOn(
  options: EngineOptions,
  prepared: PreparedFan,
  size: number | null,
  io: { signal?: AbortSignal | undefined; output?: unknown },
): Promise<FanSummary> {
  const fan = new Fan(options, prepared.log);
  const signal = io.signal;
  const abort = () => fan.stop({ kind: 'signal', signal: 'SIGTERM' });
  signal?.addEventListener('abort', abort, { once: true });
  let end: Awaited<ReturnType<Fan['run']>>;
  try {
    end = await fan.run(size);
  } finally {
    signal?.removeEventListener('abort', abort);
    // The workers have ended; manifold's helpers (the process starter) end just after.
    await helpersEnded();
  }
  const summary = fan.summary() as FanSummary;
  if (end.kind === 'signal') throw new AbortError(signal?.reason);
  if (end.kind === 'closed') throw new OutputClosedError();
  if (options.output !== undefined) {
    const failed = await outputEndFailure(options.output, options.reporter, prepared.failures);
    if (failed !== null) {
      const status = { ...summary, status: ExitCode.failure };
      throw new RunError(ExitCode.failure, prepared.failures, [], status, failed);
    }
  }
  if (end.status === ExitCode.ok) return summary;
  const named = prepared.failures.flatMap((line) => {
    const match = /^worker (\d+)\b/.exec(line);
    return match === null ? [] : [Number(match[1])];
  });
  const stderr = prepared.tail?.lines(named) ?? [];
  throw new RunError(end.status, prepared.failures, stderr, summary, fan.cause);
}
