import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { quoteWord, UsageError } from '../errors.js';
import { DEFAULT_MAX_RECORD } from '../framing/decoder.js';
import { FRAMING_HELP, type Framing, parseFraming } from '../framing/spec.js';
import { PROTOCOL_NAME } from '../protocol.js';
import { parseSize } from '../size.js';
import { refuseFlagValues } from './flag-values.js';
import type { FilterSpec, RecordKind } from './types.js';
import { commanderMessage, excessArgumentsMessage, optionLikeArgument } from './usage-message.js';

export { commanderMessage };

/** `--help` or `--version` was shown: nothing more to do, exit 0. */
export class InfoShown extends Error {}

/**
 * manifold's own version, for `--version`: from the nearest manifold-pipes package.json above
 * this module, which may be a source file, tsc's output or a bundle.
 */
export function manifoldVersion(): string {
  for (let url = new URL('.', import.meta.url); ; url = new URL('..', url)) {
    try {
      const found = JSON.parse(readFileSync(new URL('package.json', url), 'utf8'));
      if (found.name === 'manifold-pipes') return String(found.version);
    } catch {
      // Not here: look one folder up.
    }
    if (url.pathname === '/') return 'unknown';
  }
}

/** The command line as commander read it, before the framings are decided. */
export interface ReadCommandLine {
  options: Record<string, unknown>;
  args: string[];
  /** Each `--split` given, in order: under the protocol, the last is manifold's. */
  splits: Framing[];
  /** Each `--join` given, in order. */
  joins: Framing[];
  /** How many `--join`s came before `--protocol`: the filter's own; any after are manifold's. */
  ownJoins: number;
}

/**
 * Builds the filter's commander program with the options every filter has, lets the filter add
 * its own, and parses `argv`. Usage errors become `UsageError`s: nothing here exits the process.
 */
export function readCommandLine(
  spec: FilterSpec<RecordKind, unknown>,
  argv: string[],
  /** Under manifold's block protocol (a thread's, or `--protocol manifold`): no help shown. */
  served = false,
): ReadCommandLine {
  const splits: Framing[] = [];
  const joins: Framing[] = [];
  let ownJoins: number | undefined;
  const command = new Command(spec.name)
    .description(spec.description ?? '')
    .version(spec.version ?? manifoldVersion(), '-V, --version')
    .helpOption('-h, --help', 'show this help')
    .addOption(
      // The default is said in the text: commander shows no default whose value is undefined.
      new Option(
        '--split <framing>',
        `input framing: ${FRAMING_HELP} (default: ${typeof spec.split === 'string' ? spec.split : 'lines'})`,
      ).argParser((value: string) => {
        splits.push(framingArgument(value, '--split'));
        return splits.at(-1);
      }),
    )
    .addOption(
      new Option(
        '--join <framing>',
        `output framing (same names)${spec.join === undefined ? ' (default: the input framing)' : ''}`,
      )
        .default(spec.join, spec.join)
        .argParser((value: string) => {
          joins.push(framingArgument(value, '--join'));
          return joins.at(-1);
        }),
    )
    .addOption(
      new Option('--max-record <size>', 'largest record accepted, e.g. 1M, 256M')
        .default(DEFAULT_MAX_RECORD, '64M, or manifold fan --max-record')
        .argParser((value: string) => sizeArgument(value, '--max-record')),
    )
    .addOption(
      new Option(
        '--protocol <name>',
        "speak manifold's block protocol (manifold fan --protocol manifold sets it)",
      ).choices([PROTOCOL_NAME]),
    )
    .exitOverride()
    // Served, stdout is the protocol's (a thread's, manifold's stderr, once per worker).
    .configureOutput(
      served ? { outputError: () => {}, writeOut: () => {} } : { outputError: () => {} },
    );
  // manifold adds its `--protocol`, `--split` and `--join` after the filter's own arguments.
  command.on('option:protocol', () => {
    ownJoins ??= joins.length;
  });
  if (spec.tables !== undefined) command.addOption(tableOption());
  spec.configure?.(command);
  refuseFlagValues(command);

  try {
    command.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0 && served) throw notShown(error, argv);
      if (error.exitCode === 0) throw new InfoShown();
      const message =
        error.code === 'commander.excessArguments'
          ? excessArgumentsMessage(command, argv)
          : commanderMessage(error);
      throw new UsageError(message, error);
    }
    throw error;
  }
  const option = optionLikeArgument(command, argv);
  if (option !== undefined) throw new UsageError(`unknown option ${quoteWord(option)}`);
  if (command.getOptionValueSource('maxRecord') === 'default') {
    command.setOptionValue('maxRecord', fanMaxRecord() ?? DEFAULT_MAX_RECORD);
  }
  return {
    options: command.opts(),
    args: command.args,
    splits,
    joins,
    ownJoins: ownJoins ?? joins.length,
  };
}

/** `--help` or `--version` under the protocol: a usage error, its help not written into it. */
function notShown(error: CommanderError, argv: string[]): UsageError {
  const flags = error.code === 'commander.version' ? ['-V', '--version'] : ['-h', '--help'];
  const flag = argv.find((word) => flags.includes(word)) ?? flags[1];
  return new UsageError(`${flag} is not shown under manifold's block protocol`);
}

/**
 * The --max-record of the manifold fan this filter is a worker of (MANIFOLD_MAX_RECORD), or
 * undefined: a record the fan was told to accept is accepted by its workers too. A value that
 * is no size is a usage error naming the variable, not a default silently kept.
 */
function fanMaxRecord(): number | undefined {
  const text = process.env.MANIFOLD_MAX_RECORD;
  if (text === undefined || text === '') return undefined;
  return parseSize(text, 'MANIFOLD_MAX_RECORD');
}

/** A framing given to `flag`: its message begins with the option and its value, as the fan's. */
function framingArgument(value: string, flag: string): Framing {
  try {
    return parseFraming(value, flag);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function sizeArgument(value: string, flag: string): number {
  try {
    return parseSize(value, flag);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** The `--table` option of a filter that reads tables: repeatable. */
export function tableOption(): Option {
  return new Option(
    '--table <table>',
    'a table to read: NAME=PATH, PATH (named by its file name), or NAME (its path from MANIFOLD_TABLE_<NAME>, as manifold fan --table passes it); repeatable',
  )
    .default([], 'none')
    .argParser((value: string, previous: string[]) => [...previous, value]);
}
