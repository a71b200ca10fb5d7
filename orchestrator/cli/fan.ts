import { Command } from 'commander';
import { quoteName } from '../../filters/errors.js';
import { checkNotEmpty, checkPattern } from '../../filters/framing/regexp.js';
import { delimiterBytes, parseCutting } from '../../filters/framing/spec.js';
import { ExitCode, UsageError } from '../../filters/index.js';
import { showWord } from '../../filters/sdk/raw-arguments.js';
import type { Fan } from '../fan/engine.js';
import { inputSize } from '../fan/input-fd.js';
import type { FanOptions } from '../fan/options.js';
import { parseTableBindings } from '../fan/tables.js';
import type { NameOf } from '../options/checks.js';
import { type FanSettings, flagOf, resolveFanSettings } from '../options/fan.js';
import { checkShellSyntax } from '../options/fan-parts.js';
import {
  type HostSettings,
  hostFlagOf,
  relativeSlotsProblem,
  resolveHostSettings,
  runsHere,
} from '../options/hosts.js';
import { notOnHosts } from '../options/not-on-hosts.js';
import { checkReports, refuseInputIsOutput } from '../options/same-file.js';
import { prebootStarters } from '../workers/process/spawner.js';
import { prebootedCount } from '../workers/thread/preboot.js';
import { findProgram } from '../workers/which.js';
import { startersAhead } from './boot-plan.js';
import { refuseCommandBytes } from './command-bytes.js';
import { CliError } from './errors.js';
import { FAN_HELP_AFTER, fanOptions } from './fan-options.js';
import { queueFanOptions, refuseQueueOptions, runQueueFan } from './fan-queue.js';
import { checkInputs, stdinAsInput } from './inputs.js';
import { loadFan, loadPart } from './load.js';
import { hintOnFailure, shellHint } from './shell-hint.js';
import { onStopSignals, statusOf } from './status.js';
import { resolvingLine } from './usage-help.js';

/** `manifold fan`: builds the subcommand. Running it resolves to the exit status. */
export function fanCommand(run: (status: Promise<number>) => void): Command {
  const command = new Command('fan')
    .description(
      'Cut stdin into blocks at record boundaries, farm them to N copies of a command, collect the output.',
    )
    .usage('[options] -- <command> [args...]')
    .argument('[command...]', 'the worker command and its arguments')
    .passThroughOptions()
    .addHelpText('after', FAN_HELP_AFTER)
    .action((argv: string[], raw: Record<string, unknown>, self: Command) =>
      run(
        raw.queue === undefined
          ? Promise.resolve().then(() => {
              resolvingLine(FAN, () => refuseQueueOptions(self));
              return runFan(argv, givenOptions(raw, self));
            })
          : runQueueFan(argv, givenOptions(raw, self), self),
      ),
    );
  for (const option of [...fanOptions(), ...queueFanOptions()]) command.addOption(option);
  return command;
}

/**
 * The options commander filled in with their defaults, left out where given means more: a size
 * given on the command line chooses even when it equals the default (`--block 1M` stops
 * per-block workers' blocks from growing; `--merge-memory 64M` makes the sorted merge
 * manifold's own), a `--key` given needs what reads it (`--dispatch hash`, `--merge sorted`),
 * and a `--split` given cannot go with `-0`.
 */
export function givenOptions(
  raw: Record<string, unknown>,
  command: Command,
): Record<string, unknown> {
  const given = { ...raw };
  for (const key of ['block', 'mergeMemory', 'split', 'key']) {
    if (command.getOptionValueSource(key) === 'default') delete given[key];
  }
  return given;
}

async function runFan(argv: string[], raw: Record<string, unknown>): Promise<number> {
  const log = raw.verbose
    ? (line: string) => process.stderr.write(`manifold: ${line}\n`)
    : () => {};
  const resolved = resolveFanCommandLine(argv, raw, log);
  let options = resolved.options;
  const remote = resolved.remote;
  const sizes = checkInputs(options.inputs);
  refuseInputIsOutput(options.inputs);
  // A thread's module was found and checked with the options; a host's command, on the host.
  if (!options.command.shell && options.kind !== 'thread' && remote === null) {
    const program = findProgram(options.command.argv[0]!);
    if ('problem' in program) {
      const hint = shellHint(options.command.argv);
      const line = `${showWord(options.command.argv[0]!)}: ${program.problem}${hint ? ` (${hint})` : ''}`;
      throw new CliError(line, ExitCode.notFound);
    }
  }
  checkReports(options, options.inputs); // last of the checks: it creates the --stats file
  // Signals are heard from here: one while hosts are connected to ends their connections (a
  // host that hangs takes --host-timeout to answer), and then the run, before it starts.
  let fan: Fan | null = null;
  let early: NodeJS.Signals | null = null;
  const connecting = new AbortController();
  onStopSignals((signal) => {
    if (fan !== null) fan.stop({ kind: 'signal', signal });
    else {
      early ??= signal;
      connecting.abort();
    }
  });
  // Hosts are connected to before any input is read: one without manifold is said first.
  const say = (line: string) => process.stderr.write(`manifold: ${line}\n`);
  // Loaded only with hosts: a fan on this machine starts without the SSH machinery.
  const pool =
    remote === null
      ? null
      : await (await loadPart(() => import('../workers/ssh/pool.js'))).HostPool.connect(
          remote,
          { say, log },
          connecting.signal,
        );
  if (early !== null) {
    await pool?.close();
    return statusOf({ kind: 'signal', signal: early });
  }
  if (pool !== null) options = { ...options, kind: 'ssh', remote: pool, workers: pool.slots };
  // Its process starters start on the other core while the fan's engine loads.
  if ((options.kind ?? 'process') === 'process') prebootStarters(startersAhead(options.workers));
  // The threads the executable booted while manifold loaded (cli/manifold.ts).
  const booted = prebootedCount();
  if (options.kind === 'thread' && booted > 0) {
    log(
      `--threads: ${Math.min(booted, options.workers)} of the ${options.workers} threads booted while manifold loaded`,
    );
  }
  let end: Awaited<ReturnType<Fan['run']>>;
  try {
    // Its input pipe is read off the main thread: this process runs one fan.
    fan = new (await loadFan())({ ...options, inputOffThread: true }, log);
    end = await fan.run(inputSize(options.inputs, sizes));
  } finally {
    await pool?.close();
  }
  // Once the hosts' folders are removed: a closed output ends the process now (statusOf).
  return hintOnFailure(statusOf(end), options.command, fan.failedStatuses);
}

/**
 * A `manifold fan`'s command line (its command and its options, as commander parsed them)
 * resolved, or the UsageError that refuses it: every check made before the files are looked at.
 */
export function resolveFanCommandLine(
  argv: string[],
  raw: Record<string, unknown>,
  log: (line: string) => void,
) {
  return resolvingLine(FAN, () => {
    if (argv.length === 0)
      throw new UsageError(
        "missing the workers' command: manifold fan [options] -- <command> [args...]",
      );
    const options = resolveFanOptions(argv, raw, log);
    const tables = parseTableBindings((raw.table as string[] | undefined) ?? []);
    const hostSettings = { ...raw, hosts: raw.host } as HostSettings;
    const remote = resolveHostSettings(hostSettings, options.workers, hostFlagOf, tables);
    const relative = remote && relativeSlotsProblem(raw.workers, '-j', '--host');
    if (relative) throw new CliError(relative, ExitCode.usage);
    const refused = remote && notOnHosts(options, flagOf, '--host');
    if (refused) throw refused;
    // The shell that reads it is this machine's, unless the command runs on hosts only.
    if (runsHere(remote)) checkShellSyntax(options.command, flagOf);
    refuseCommandBytes(options.command, options.kind, runsHere(remote));
    return { options, remote };
  });
}

/**
 * parallel's `--recstart`/`--recend`, said as the --split they are: `start:<s>`, `delim:<e>`, or
 * both `between:<e>|<s>`, the strings taken as those framings take them (escapes, a `|` as `\|`);
 * with --regexp, regular expressions: `start-re:<s>`, `delim-re:<e>`, `between-re:(?:<e>)|(?:<s>)`.
 */
export function recordStrings(raw: Record<string, unknown>): Record<string, unknown> {
  const { recstart, recend, regexp, ...rest } = raw as {
    recstart?: string;
    recend?: string;
    regexp?: boolean;
  };
  if (recstart === undefined && recend === undefined) {
    if (regexp === true) {
      throw new UsageError(
        `--regexp makes --recstart and --recend regular expressions: give one of them (as a --split, start-re:<re>, delim-re:<re> or between-re:<end>|<start>)`,
      );
    }
    return rest;
  }
  const given = [
    recstart === undefined ? null : '--recstart',
    recend === undefined ? null : '--recend',
  ]
    .filter((flag) => flag !== null)
    .join(' and ');
  if (raw.null === true || raw.split !== undefined) {
    const other = raw.null === true ? '-0' : `--split ${String(raw.split)}`;
    const say = given.includes(' and ') ? 'say' : 'says';
    throw new UsageError(`${given} ${say} how records are cut: it cannot go with ${other}`);
  }
  const bar = (text: string) => text.replaceAll('|', '\\|');
  if (regexp && (recstart || recend)) checkExpressions(recstart ?? '', recend ?? '');
  if (!regexp) checkStrings(recstart ?? '', recend ?? '');
  if (recstart === undefined || recstart === '') {
    if (recend === '' || recend === undefined) {
      // parallel's --recend '' cuts a block at any byte: fixed:1 records are single bytes.
      const anywhere =
        recend === ''
          ? `; blocks cut at any byte, as parallel's --recend '', are --split fixed:1 --block <size>`
          : '';
      throw new UsageError(
        `${given} '': records need a string to be cut at (a fan cuts its input at record boundaries)${anywhere}`,
      );
    }
    return { ...rest, split: checkedSplit(`${regexp ? 'delim-re' : 'delim'}:${recend}`, raw) };
  }
  if (regexp) {
    const split = recend ? `between-re:(?:${recend})|(?:${recstart})` : `start-re:${recstart}`;
    return { ...rest, split: checkedSplit(split, raw) };
  }
  const split = recend ? `between:${bar(recend)}|${bar(recstart)}` : `start:${recstart}`;
  return { ...rest, split: checkedSplit(split, raw) };
}

/** --recstart's and --recend's strings, each checked alone (its escapes), named as given. */
function checkStrings(recstart: string, recend: string): void {
  if (recend) delimiterBytes(recend, `--recend ${quoteName(recend)}`);
  if (recstart) delimiterBytes(recstart, `--recstart ${quoteName(recstart)}`);
}

/**
 * The --split that --recstart/--recend make, refused as a --split would be (`between:ab|ab`,
 * whose strings overlap) but named by the options given: the --split is not on the command line.
 */
function checkedSplit(split: string, raw: Record<string, unknown>): string {
  parseCutting(split, '--split', recordOptionsSaid(raw));
  return split;
}

/** `--recend 'x' --recstart 'y'`: the options given, as a message names them. */
function recordOptionsSaid(raw: Record<string, unknown>): string {
  const { recstart, recend } = raw as { recstart?: string; recend?: string };
  return [
    ...(recend === undefined ? [] : [`--recend ${quoteName(recend)}`]),
    ...(recstart === undefined ? [] : [`--recstart ${quoteName(recstart)}`]),
  ].join(' ');
}

/** --regexp's expressions checked, named as given: the --split they make is not on the command line. */
function checkExpressions(recstart: string, recend: string): void {
  const said = [`--recend ${quoteName(recend)}`, `--recstart ${quoteName(recstart)}`];
  if (recend) checkPattern(recend, said[0]!);
  if (recstart) checkPattern(recstart, said[1]!);
  checkNotEmpty(
    { start: recstart, end: recend },
    said.filter((_, i) => [recend, recstart][i]).join(' '),
  );
}

/**
 * The options' names for messages, the --split that --recstart/--recend made said as they were
 * given: `--recstart >` for `--split start:>`, not a --split the command line does not have.
 */
function recordStringsNamed(raw: Record<string, unknown>, split: unknown): NameOf {
  const { recstart, recend } = raw as { recstart?: string; recend?: string };
  if (recstart === undefined && recend === undefined) return flagOf;
  const said = [
    ...(recend === undefined ? [] : [`--recend ${recend}`]),
    ...(recstart === undefined ? [] : [`--recstart ${recstart}`]),
  ].join(' ');
  return (option, value) =>
    option === 'split' && value !== undefined && value === split ? said : flagOf(option, value);
}

/** The command whose help its usage errors point at. */
export const FAN = 'manifold fan';

/** The command line's options, as commander parsed them, resolved in the one place for all. */
export function resolveFanOptions(
  argv: string[],
  raw: Record<string, unknown>,
  log: (line: string) => void,
): FanOptions {
  // --tagstring, spelled as GNU parallel's, is the setting `tagString` (a config's `tag-string`).
  const { tagstring, ...rest } = raw;
  const settings = {
    ...recordStrings(rest),
    ...(tagstring !== undefined && { tagString: tagstring }),
    command: argv,
  } as FanSettings;
  return {
    ...resolveFanSettings(settings, recordStringsNamed(raw, settings.split), log),
    inputs: stdinAsInput((raw.input as string[] | undefined) ?? null),
  };
}
