import { Command } from 'commander';
import {
  ExitCode,
  parseFraming,
  parseKeySpec,
  parseSize,
  UsageError,
} from '../../filters/index.js';
import { PROTOCOL_NAME } from '../../filters/protocol.js';
import { Fan } from '../fan/engine.js';
import { inputSize } from '../fan/input.js';
import type { FanOptions } from '../fan/options.js';
import { parseTableBindings, tableEnvironment } from '../fan/tables.js';
import { findProgram } from '../workers/which.js';
import { CliError } from './errors.js';
import { FAN_HELP_AFTER, fanOptions, MAX_WORKERS } from './fan-options.js';
import { checkInputs, checkStatsTarget } from './inputs.js';
import { statusOf } from './status.js';

/** `manifold fan`: builds the subcommand. Running it resolves to the exit status. */
export function fanCommand(run: (status: Promise<number>) => void): Command {
  const command = new Command('fan')
    .description(
      'Cut stdin into blocks at record boundaries, farm them to N copies of a command, collect the output.',
    )
    .usage('[options] -- <command> [args...]')
    .argument('<command...>', 'the worker command and its arguments')
    .passThroughOptions()
    .addHelpText('after', FAN_HELP_AFTER)
    .action((argv: string[], raw: Record<string, unknown>) => run(runFan(argv, raw)));
  for (const option of fanOptions()) command.addOption(option);
  return command;
}

async function runFan(argv: string[], raw: Record<string, unknown>): Promise<number> {
  const log = raw.verbose
    ? (line: string) => process.stderr.write(`manifold: ${line}\n`)
    : () => {};
  const options = resolveFanOptions(argv, raw, log);
  const sizes = checkInputs(options.inputs);
  if (!options.command.shell) {
    const program = findProgram(options.command.argv[0]!);
    if ('problem' in program) {
      throw new CliError(`${options.command.argv[0]}: ${program.problem}`, ExitCode.notFound);
    }
  }
  // Last of the checks, since it creates the file: a summary that cannot be written is known
  // before any input is read, not after the whole run.
  if (options.stats !== null) checkStatsTarget(options.stats);
  const fan = new Fan(options, log);
  const onSignal = (signal: NodeJS.Signals) => fan.stop({ kind: 'signal', signal });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const end = await fan.run(inputSize(options.inputs, sizes));
  return statusOf(end);
}

/** Checks the options against each other and turns them into what the engine needs. */
export function resolveFanOptions(
  argv: string[],
  raw: Record<string, unknown>,
  log: (line: string) => void,
): FanOptions {
  const workers = workerCount(raw.workers);
  const retries = count(raw.retries, '--retries');
  const framing = parseFraming(raw.null ? 'nul' : String(raw.split), '--split');
  if (framing.kind === 'raw')
    throw new UsageError('--split raw has no record boundaries to cut blocks at');
  const outputFraming = raw.join === undefined ? framing : parseFraming(String(raw.join), '--join');
  if (outputFraming.kind === 'raw') {
    throw new UsageError('--join raw has no record boundaries to keep whole');
  }
  const key = parseKeySpec(String(raw.key), raw.fieldSep as string | undefined, '--key');
  const dispatch = raw.dispatch as FanOptions['dispatch'];
  const merge = raw.merge as FanOptions['merge'];
  if ((raw.numeric || raw.reverse) && merge !== 'sorted') {
    throw new UsageError(
      `--${raw.numeric ? 'numeric' : 'reverse'} orders the sorted merge: it needs --merge sorted`,
    );
  }
  if (merge === 'ordered' && (dispatch === 'hash' || dispatch === 'broadcast')) {
    throw new UsageError(
      `--merge ordered keeps the order of input blocks, which --dispatch ${dispatch} does not give each worker whole; use --merge ready or sorted`,
    );
  }
  const ways = ['perBlock', 'oneToOne', 'protocol'].filter((name) => raw[name] !== undefined);
  if (ways.length > 1) {
    throw new UsageError(
      'choose one of --per-block, --one-to-one and --protocol: each ties output to blocks its own way',
    );
  }
  if (raw.protocol !== undefined && raw.protocol !== PROTOCOL_NAME) {
    throw new UsageError(
      `--protocol "${raw.protocol}" is unknown: the one protocol is '${PROTOCOL_NAME}'`,
    );
  }
  if (raw.protocol !== undefined && raw.shell) {
    throw new UsageError(
      '--protocol needs a command run directly: manifold adds --protocol manifold to its arguments, which --shell cannot',
    );
  }
  let attribution: FanOptions['attribution'] = raw.perBlock
    ? 'per-block'
    : raw.oneToOne
      ? 'one-to-one'
      : raw.protocol
        ? 'protocol'
        : 'none';
  if (attribution === 'none' && (merge === 'ordered' || retries > 0)) {
    attribution = 'per-block';
    log(
      `${merge === 'ordered' ? '--merge ordered' : '--retries'} needs each output tied to its block: running a fresh worker per block (--per-block); --one-to-one or --protocol manifold keep workers running`,
    );
  }
  const shell = raw.shell === true;
  // An SDK filter under the protocol reads blocks in the fan's framing, and writes what the fan
  // expects back: manifold says so on its command line.
  const protocolArgs = ['--protocol', PROTOCOL_NAME, '--split', framing.name];
  if (raw.join !== undefined) protocolArgs.push('--join', outputFraming.name);
  const commandArgv = attribution === 'protocol' ? [...argv, ...protocolArgs] : argv;
  const tables = parseTableBindings((raw.table as string[] | undefined) ?? []);
  const env = tables.length > 0 ? tableEnvironment(tables, { workers, dispatch }) : undefined;
  return {
    command: { argv: commandArgv, shell, ...(env && { env }) },
    workers,
    framing,
    outputFraming,
    blockSize: parseSize(String(raw.block), '--block'),
    maxRecord: parseSize(String(raw.maxRecord), '--max-record'),
    mergeMemory: parseSize(String(raw.mergeMemory ?? '64M'), '--merge-memory'),
    dispatch,
    key,
    merge,
    numeric: raw.numeric === true,
    reverse: raw.reverse === true,
    tag: raw.tag === true,
    attribution,
    retries,
    halt: raw.halt as FanOptions['halt'],
    inputs: (raw.input as string[] | undefined) ?? null,
    stats: (raw.stats as string | undefined) ?? null,
    progress: raw.progress === true,
    verbose: raw.verbose === true,
  };
}

function workerCount(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new UsageError(
      `-j, --workers must be a whole number from 1 to ${MAX_WORKERS} (got "${value}")`,
    );
  }
  return n;
}

function count(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${name} must be a whole number of at least 0 (got "${value}")`);
  return n;
}
