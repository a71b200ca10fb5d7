import { quoteForSh } from '../../filters/errors.js';
import { checkFixedFits, parseCutting } from '../../filters/framing/spec.js';
import { PROTOCOL_NAME } from '../../filters/protocol.js';
import type { FanOptions, Log } from '../fan/options.js';
import {
  at,
  choice,
  count,
  flag,
  type NameOf,
  OptionError,
  show,
  size,
  text,
  workerCount,
} from './checks.js';
import {
  blocksPerWorker,
  recordsPerBlock,
  refuseRegexpRecords,
  removeRecSepOf,
  splitOf,
} from './cutting.js';
import {
  blockFileOf,
  checkBlockNamed,
  commandOf,
  groupBySpec,
  joinFraming,
  keySpec,
  outputFramingSaid,
  tablesOf,
  tagFits,
  tagStringOf,
} from './fan-parts.js';
import { FAN_DEFAULTS, type FanSettings } from './fan-settings.js';
import { parseDelay, parseHalt, parseHeader, parseOkStatus, parseTimeout } from './jobs.js';
import { parseNice } from './nice.js';
import { parseTermseq } from './termseq.js';
import { threadChoice } from './threads.js';
import { tmpdirOf } from './tmpdir.js';

export { type NameOf, OptionError } from './checks.js';
export { blocksPerWorker } from './cutting.js';

export {
  FAN_CHOICES,
  FAN_DEFAULTS,
  FAN_SETTING_NAMES,
  type FanSettings,
  MAX_WORKERS,
} from './fan-settings.js';

/** The flags not spelled by `kebab`: short forms, and GNU parallel's `--tagstring`. */
const FLAGS: Partial<Record<string, string>> = {
  workers: '-j, --workers',
  records: '-N, --records',
  linesPerRecord: '-L, --lines-per-record',
  tagString: '--tagstring',
};

/**
 * `--block` for `block`, `--merge-memory` for `mergeMemory`: the command line's spelling. The
 * command is the words after `--`, no option (it was said as `--command`).
 */
export const flagOf: NameOf = (option, value) => {
  if (option === 'command') return "the workers' command";
  const flag = FLAGS[option] ?? `--${kebab(option)}`;
  return value === undefined ? flag : `${flag} ${value}`;
};

/** `merge-memory` for `mergeMemory`: a config file's key (config/fan.ts spells it whole). */
export const keyNameOf = (option: keyof FanSettings): string => kebab(option);

/**
 * `mergeMemory` for `mergeMemory`: the library's spelling, the option's own name; with a value,
 * `halt soon`, quoted as a shell would where it is not one word (`block '1M '`), as api.md says.
 */
export const settingNameOf: NameOf = (option, value) =>
  value === undefined ? option : `${option} ${quoteForSh(String(value))}`;

export function kebab(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Checks a fan's settings, each value and then against each other, and turns them into what the
 * engine needs. The one place the command line, config files and the library map into: defaults
 * come from FAN_DEFAULTS, and every message names the option as `nameOf` spells it. `log` hears
 * what was decided (a fresh worker per block, for --merge ordered or --retries).
 * `inputs`, `stats`'s target and the I/O are the caller's to set on the result.
 */
export function resolveFanSettings(
  settings: FanSettings,
  nameOf: NameOf,
  log: Log = () => {},
): FanOptions {
  const name = nameOf;
  const value = <K extends keyof typeof FAN_DEFAULTS>(key: K) => settings[key] ?? FAN_DEFAULTS[key];
  const command = commandOf(settings, name);
  const workers = workerCount(value('workers'), name('workers'));
  const retries = count(value('retries'), name('retries'));
  const split = splitOf(settings, name) ?? text(value('split'), 'split', name);
  const framing = at('split', () => parseCutting(split, name('split')));
  if (framing.kind === 'raw')
    throw new OptionError(
      'split',
      `${name('split')} raw has no record boundaries to cut blocks at`,
    );
  const outputFraming = joinFraming(settings, framing, name);
  const key = keySpec(settings, name);
  const dispatch = choice(value('dispatch'), 'dispatch', name);
  const merge = choice(value('merge'), 'merge', name);
  // A key is read by the hash dispatch and the sorted merge alone: elsewhere it would do nothing.
  if (settings.key !== undefined && dispatch !== 'hash' && merge !== 'sorted') {
    throw new OptionError(
      'key',
      `${name('key')} ${settings.key} is the key of ${name('dispatch', 'hash')} and ${name('merge', 'sorted')}: it needs one of them`,
    );
  }
  const groupBy = groupBySpec(settings, dispatch, name);
  const numeric = flag(settings, 'numeric', name);
  const reverse = flag(settings, 'reverse', name);
  if ((numeric || reverse) && merge !== 'sorted') {
    const which = numeric ? 'numeric' : 'reverse';
    throw new OptionError(
      which,
      `${name(which)} orders the sorted merge: it needs ${name('merge')} sorted`,
    );
  }
  if (merge === 'ordered' && (dispatch === 'hash' || dispatch === 'broadcast')) {
    throw new OptionError(
      'merge',
      `${name('merge')} ordered keeps the order of input blocks, which ${name('dispatch')} ${dispatch} does not give each worker whole; use ${name('merge')} ready or sorted`,
    );
  }
  // Before the threads' module is looked for: --cat --threads is refused as that.
  const blockFile = blockFileOf(settings, name);
  if (blockFile !== undefined && !flag(settings, 'perBlock', name)) {
    const what = blockFile === 'cat' ? 'a file' : 'a named pipe';
    log(
      `${name(blockFile)}: a fresh worker per block (${name('perBlock')}), given its block as ${what} in $TMPDIR, its path for {}`,
    );
  }
  const threads = threadChoice(settings, command, workers, name);
  const nice = settings.nice === undefined ? undefined : parseNice(settings.nice, name);
  if (nice !== undefined && threads.kind === 'thread') {
    throw new OptionError(
      'nice',
      `${name('nice')} sets the niceness of worker processes: it cannot go with ${name('threads')}, which run in manifold's own process (run manifold under nice instead)`,
    );
  }
  const perBlock = flag(settings, 'perBlock', name);
  const oneToOne = flag(settings, 'oneToOne', name);
  const ways = (['perBlock', 'oneToOne', 'protocol'] as const).filter((w) =>
    w === 'protocol' ? settings.protocol !== undefined : w === 'perBlock' ? perBlock : oneToOne,
  );
  if (ways.length > 1) {
    throw new OptionError(
      ways[1]!,
      `choose one of ${name('perBlock')}, ${name('oneToOne')} and ${name('protocol')}: each ties output to blocks its own way`,
    );
  }
  // Its counter cuts a block's output where its last record ends, known here only in the next's.
  if (oneToOne && outputFraming.kind === 'started') {
    throw new OptionError(
      'oneToOne',
      `${name('oneToOne')} cuts each block's output where its last record ends, and a record of ${outputFraming.name} (${outputFramingSaid(settings, outputFraming, name)}) ends only where the next begins, in the next block's output: use ${name('perBlock')} or ${name('protocol', PROTOCOL_NAME)}, or a ${name('join')} that ends records`,
    );
  }
  const protocol = settings.protocol !== undefined || threads.kind === 'thread';
  if (settings.protocol !== undefined && settings.protocol !== PROTOCOL_NAME) {
    throw new OptionError(
      'protocol',
      `${name('protocol')} ${show(settings.protocol)} is unknown: the one protocol is '${PROTOCOL_NAME}'`,
    );
  }
  if (protocol) refuseRegexpRecords(settings, framing, name);
  if (protocol && command.shell) {
    throw new OptionError(
      'protocol',
      `${name('protocol')} needs a command run directly: manifold adds --protocol ${PROTOCOL_NAME} to its arguments, which ${name('shell')} cannot take`,
    );
  }
  let attribution: FanOptions['attribution'] =
    perBlock || blockFile !== undefined
      ? 'per-block'
      : oneToOne
        ? 'one-to-one'
        : protocol
          ? 'protocol'
          : 'none';
  const { halt, haltOn } = parseHalt(value('halt'), name);
  const timeout = settings.timeout === undefined ? undefined : parseTimeout(settings.timeout, name);
  const delay = settings.delay === undefined ? 0 : parseDelay(settings.delay, name);
  const termseq = settings.termseq === undefined ? undefined : parseTermseq(settings.termseq, name);
  const joblog = settings.joblog === undefined ? undefined : text(settings.joblog, 'joblog', name);
  if (joblog === '')
    throw new OptionError('joblog', `${name('joblog')} must name a file, or - for stderr`);
  // What needs each output tied to its block, first the options of old.
  const needsBlocks = [
    merge === 'ordered' && name('merge', 'ordered'),
    retries > 0 && name('retries'),
    timeout !== undefined && name('timeout'),
    joblog !== undefined && name('joblog'),
    haltOn.why === 'success' && name('halt', '...,success'),
  ].find((reason) => reason !== false);
  if (attribution === 'none' && needsBlocks !== undefined) {
    // Hash and broadcast give each worker its share of the whole stream (every record of a key):
    // a process per block would see one block's, an aggregate of each (QA: mf-reduce's counts).
    if (dispatch === 'hash' || dispatch === 'broadcast') {
      throw new OptionError(
        'dispatch',
        `${needsBlocks} needs each output tied to its block, and under ${name('dispatch')} ${dispatch} a fresh worker per block would see that block alone, not its worker's share of the stream: give ${name('protocol', PROTOCOL_NAME)} (an SDK filter) or ${name('oneToOne')}, whose workers stay, or ${name('perBlock')} for a worker per block`,
      );
    }
    attribution = 'per-block';
    log(
      `${needsBlocks} needs each output tied to its block: running a fresh worker per block (${name('perBlock')}); ${name('oneToOne')} or ${name('protocol', PROTOCOL_NAME)} keep workers running`,
    );
  }
  checkBlockNamed(command, attribution, name, threads.kind === 'thread');
  const tagString = tagStringOf(settings, attribution, merge, outputFraming, name);
  // An SDK filter under the protocol is told how blocks are cut, and writes what the fan expects
  // back: manifold says so on its command line, after the filter's own arguments. The filter
  // keeps a framing of its own that ends records where the blocks' does (ndjson under lines:
  // sdk/cli.ts), so it reads as it does alone; and writes what ends where manifold cuts.
  const protocolArgs = ['--protocol', PROTOCOL_NAME, '--split', framing.name];
  if (outputFraming.name !== framing.name) protocolArgs.push('--join', outputFraming.name);
  const argv = attribution === 'protocol' ? [...command.argv, ...protocolArgs] : command.argv;
  const tables = at('table', () => tablesOf(settings, { workers, dispatch }, name));
  // Checked last of the values: it looks at the file system. Its workers' TMPDIR too, as parallel.
  const tmpdir = settings.tmpdir === undefined ? undefined : tmpdirOf(settings.tmpdir, name);
  const env = tmpdir === undefined ? tables : { ...tables, TMPDIR: tmpdir };
  // Sizes given choose, even when they equal the defaults: per-block workers' blocks stop
  // growing, a sorted merge is manifold's own (docs/fan.md). Given means set: the command line
  // leaves out what commander filled in (cli/fan.ts).
  const perWorker = blocksPerWorker(settings.block, name);
  const blockSize =
    perWorker === undefined
      ? size(value('block'), 'block', name)
      : size(FAN_DEFAULTS.block, 'block', name);
  const records = recordsPerBlock(settings, dispatch, name);
  const mergeMemory = size(value('mergeMemory'), 'mergeMemory', name);
  const maxRecord = size(value('maxRecord'), 'maxRecord', name);
  at('split', () => checkFixedFits(framing, maxRecord, name('split'), name('maxRecord')));
  if (settings.join !== undefined)
    at('join', () => checkFixedFits(outputFraming, maxRecord, name('join'), name('maxRecord')));
  return {
    ...threads,
    command: {
      argv,
      shell: command.shell,
      ...(env && { env }),
      ...(nice !== undefined && { nice }),
    },
    workers,
    framing,
    outputFraming,
    blockSize,
    blockGiven: settings.block !== undefined,
    ...(perWorker !== undefined && { blocksPerWorker: perWorker }),
    ...(records !== undefined && { records }),
    ...(groupBy !== undefined && { groupBy }),
    ...(blockFile !== undefined && { blockFile }),
    maxRecord,
    mergeMemory,
    mergeMemoryGiven: settings.mergeMemory !== undefined,
    dispatch,
    key,
    merge,
    numeric,
    reverse,
    tag: tagFits(settings, outputFraming, name),
    ...(removeRecSepOf(settings, framing, attribution, name) && { removeRecSep: true }),
    ...(tagString !== undefined && { tagString }),
    attribution,
    retries,
    halt,
    haltOn,
    ...(settings.okStatus !== undefined && { okStatus: parseOkStatus(settings.okStatus, name) }),
    ...(timeout !== undefined && { timeout }),
    ...(termseq !== undefined && { termseq }),
    ...(delay > 0 && { delay }),
    ...(tmpdir !== undefined && { tmpdir }),
    ...(settings.header !== undefined && {
      header: parseHeader(settings.header, name, framing.name),
    }),
    joblog: joblog ?? null,
    inputs: null,
    stats: settings.stats === undefined ? null : text(settings.stats, 'stats', name),
    progress: flag(settings, 'progress', name),
    verbose: flag(settings, 'verbose', name),
  };
}
