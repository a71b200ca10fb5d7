import { type Command, Option } from 'commander';
import { quoteName } from '../../filters/errors.js';
import { ExitCode, UsageError } from '../../filters/index.js';
import { inputSize } from '../fan/input-fd.js';
import type { FanOptions } from '../fan/options.js';
import { flagOf } from '../options/fan.js';
import type { FanSettings } from '../options/fan-settings.js';
import { NOT_ON_QUEUE, type QueueRefusable } from '../options/not-on-queue.js';
import { resolveQueueSettings } from '../options/queue.js';
import { checkReports, refuseInputIsOutput } from '../options/same-file.js';
import { checkQueueUrl, DEFAULT_JOB, withoutCredentials } from '../workers/queue/names.js';
import { FAN, resolveFanOptions } from './fan.js';
import { checkInputs } from './inputs.js';
import { loadFan, loadPart } from './load.js';
import { givenOutput, OutputFile } from './output-file.js';
import { type End, onStopSignals, statusOf } from './status.js';
import { resolvingLine } from './usage-help.js';

/** The options `manifold fan` has for a queue's coordinator. */
export function queueFanOptions(): Option[] {
  return [
    new Option(
      '--queue <url>',
      'no command: publish the blocks to a NATS JetStream queue (nats://host:4222, nats://user:password@host:4222 if it asks) for `manifold worker --queue` to run, and collect their output (docs/queue.md)',
    ),
    new Option(
      '--job <name>',
      'with --queue: the job, shared with its workers and resumed by name',
    ).default(DEFAULT_JOB),
    new Option(
      '--ack-wait <duration>',
      'with --queue: how long a block may go without word from its worker before another gets it',
    ).default('30s'),
    new Option(
      '--queue-timeout <duration>',
      'with --queue: how long the server may be unreachable (a restart inside it resumes) before the run fails, naming it',
    ).default('60s'),
    new Option(
      '--output <file>',
      'with --queue: write the output to this file, whole and at once at the end (atomically), not to stdout (- is stdout)',
    ),
  ];
}

/** Options of `manifold fan` that are the coordinator's alone, by key and flag. */
const QUEUE_OWN = [
  ['job', '--job'],
  ['ackWait', '--ack-wait'],
  ['queueTimeout', '--queue-timeout'],
  ['output', '--output'],
] as const;

/**
 * Refuses the coordinator's options given to a fan without --queue, as --cleanup without hosts:
 * taken and ignored, `--output out.txt` wrote to stdout and no file came.
 */
export function refuseQueueOptions(command: Command): void {
  for (const [key, flag] of QUEUE_OWN) {
    if (command.getOptionValueSource(key) === 'cli')
      throw new UsageError(`${flag} needs a queue (--queue)`);
  }
}

/** Commander's names of the options whose library names differ. */
const ATTRIBUTES: Partial<Record<QueueRefusable, string>> = {
  tagString: 'tagstring',
  hosts: 'host',
};

/** How the command line spells an option: `-j, --workers`, `--host`. */
const queueFlagOf = (option: string) =>
  option === 'hosts' ? '--host' : flagOf(option as keyof FanSettings);

/** The options refused with a queue that the command line gave (not commander's defaults). */
function refusableGiven(raw: Record<string, unknown>, command: Command) {
  const given: Partial<Record<QueueRefusable, unknown>> = {};
  for (const option of NOT_ON_QUEUE) {
    const attribute = ATTRIBUTES[option] ?? option;
    if (command.getOptionValueSource(attribute) === 'cli') given[option] = raw[attribute];
  }
  return given;
}

/**
 * A `manifold fan --queue` command line (commander's parse of it, `command`) resolved: the
 * queue's job and the coordinator's fan options, or the UsageError that refuses it, pointing at
 * the help. Every check made before the files are looked at and the server is asked.
 */
export function resolveQueueFanCommandLine(
  argv: string[],
  raw: Record<string, unknown>,
  command: Command,
) {
  return resolvingLine(FAN, () => {
    // The queue's own address first: `--queue '' -- cat` said the command was too many, and
    // suggested `manifold worker --queue ''`, an address no worker can use.
    checkQueueUrl(String(raw.queue));
    if (argv.length > 0) {
      // The line to run instead, each word quoted as messages quote one: it pastes as given.
      const queue = withoutCredentials(String(raw.queue));
      const words = ['manifold', 'worker', '--queue', queue, '--', ...argv];
      throw new UsageError(
        `--queue takes no command: each worker runs its own (${words.map(quoteName).join(' ')})`,
      );
    }
    const target = resolveQueueSettings(
      {
        ...refusableGiven(raw, command),
        queue: String(raw.queue),
        job: raw.job as string,
        ackWait: raw.ackWait as string,
        table: raw.table,
        queueTimeout: raw.queueTimeout as string,
      },
      queueFlagOf,
    )!;
    // The tables go to the workers through the queue (target.tables), not to a local command.
    // `raw` holds what was given (`givenOptions`): a default --split or --key is no option given.
    const resolved = resolveFanOptions(['queue'], { ...raw, table: undefined }, () => {});
    return { target, resolved };
  });
}

/**
 * `manifold fan --queue`: the engine cuts and merges as for a local fan, its one worker being
 * the queue (workers/queue/coordinator.ts). Resolves to the exit status.
 */
export async function runQueueFan(
  argv: string[],
  raw: Record<string, unknown>,
  command: Command,
): Promise<number> {
  const { target, resolved } = resolveQueueFanCommandLine(argv, raw, command);
  const log = raw.verbose
    ? (line: string) => process.stderr.write(`manifold: ${line}\n`)
    : () => {};
  const sizes = checkInputs(resolved.inputs);
  // `--output -` is stdout, as `-` is for --input, --stats and --joblog (it was a file named -).
  const written = raw.output === undefined || raw.output === '-' ? null : String(raw.output);
  // Written aside and renamed, a file may be an input; not a descriptor, written as it is.
  const outputFd = written === null ? 1 : givenOutput(written);
  if (outputFd !== null) refuseInputIsOutput(resolved.inputs, undefined, outputFd);
  checkReports(resolved, resolved.inputs, written);
  const output = written === null ? null : new OutputFile(written, target.job);
  // The queue's client (NATS) loads only when a queue is used: not on every start of manifold.
  // Both load before the job is opened, so that one that cannot load leaves no job behind.
  const { openQueueJob } = await loadPart(() => import('../queue/open.js'));
  const Fan = await loadFan();
  const job = await openQueueJob(target, resolved, log).catch((error: unknown) => {
    output?.discard();
    throw error;
  });
  let finished = false;
  let end: End;
  try {
    const options: FanOptions = {
      ...job.options,
      ...(output === null ? {} : { outputFd: output.fd }),
    };
    const fan = new Fan(options, log);
    let gone: Error | null = null;
    job.gone.then((error) => {
      gone = error;
      fan.stop({ kind: 'done', status: ExitCode.failure });
    });
    job.refused.then((error) => {
      gone = error;
      fan.stop({ kind: 'done', status: ExitCode.usage });
    });
    onStopSignals((signal) => fan.stop({ kind: 'signal', signal }));
    // Said once a signal stops the run as a signal should (the job kept), not before.
    log(`${job.resumed ? 'resuming' : 'started'} job "${target.job}" on ${job.conn.url}`);
    end = await fan.run(inputSize(options.inputs, sizes));
    const status = end.kind === 'done' ? end.status : null;
    if (status === ExitCode.ok) output?.commit();
    else output?.discard();
    // The server gone for good, or the job not this input's: one line, the job kept.
    if (gone !== null) throw gone;
    // A finished job leaves the server; one stopped by a signal stays, to be resumed by name.
    // One whose output's reader went (`| head -1`) leaves too: no output of it can reach anyone
    // now, and its workers would wait on it for ever.
    finished = end.kind !== 'signal';
  } finally {
    await job.close(finished);
  }
  // Once the job is closed: a closed output kills the process here (SIGPIPE), as `cat` dies.
  return statusOf(end);
}
