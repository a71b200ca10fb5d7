import { MAX_LINES } from '../../filters/framing/spec.js';
import { type Framing, parseFraming } from '../../filters/index.js';
import { PROTOCOL_NAME } from '../../filters/protocol.js';
import type { FanOptions } from '../fan/options.js';
import { separatorRemover } from '../fan/separators.js';
import { count, flag, type NameOf, negativeBlock, OptionError } from './checks.js';
import type { FanSettings } from './fan-settings.js';

// How a fan's input is cut, from the options that say it other than by --split and a size: the
// framing -0 and -L say, a negative --block (blocks a worker), -N (records a block).

/**
 * A negative --block, as GNU parallel's `--pipepart --block -1`: not a size but how many blocks
 * each worker gets, the block size worked out from the input's size when the fan starts
 * (fan/blocks-per-worker.ts). Undefined for a size.
 */
export function blocksPerWorker(
  value: unknown,
  name: NameOf,
): { count: number; said: string } | undefined {
  const said = negativeBlock(value);
  if (said === undefined) return undefined;
  const count = Number(said.slice(1));
  if (!/^-[0-9]+$/.test(said) || !Number.isSafeInteger(count) || count < 1) {
    throw new OptionError(
      'block',
      `${name('block', String(value))}: a negative block is a count of blocks for each worker, as GNU parallel's --block -1: a whole number, -1 or less`,
    );
  }
  return { count, said: name('block', said) };
}

/**
 * The framing -0 or -L say (`nul`, `lines:<n>`), or undefined: a --split that said otherwise
 * would lose to them without a word, and -0 with -L is one framing too many.
 */
export function splitOf(settings: FanSettings, name: NameOf): string | undefined {
  const nul = flag(settings, 'null', name);
  const lines = settings.linesPerRecord;
  if (nul && lines !== undefined) {
    throw new OptionError(
      'linesPerRecord',
      `${name('linesPerRecord')} (records of lines) cannot go with ${name('null')} (records ended by NUL)`,
    );
  }
  const option = nul ? 'null' : lines !== undefined ? 'linesPerRecord' : null;
  if (option === null) return undefined;
  const split = option === 'null' ? 'nul' : `lines:${linesOf(lines, name)}`;
  if (settings.split !== undefined && !sameFraming(String(settings.split), split)) {
    throw new OptionError(
      option,
      `${option === 'null' ? name(option) : name(option, String(lines))} is ${name('split')} ${split}: it cannot go with ${name('split', String(settings.split))}`,
    );
  }
  return split;
}

/** -L's number of lines, named as -L in a message (as --split lines:<n>, it would say --split). */
function linesOf(value: unknown, name: NameOf): number {
  const lines = count(value, name('linesPerRecord'), 'linesPerRecord', 1);
  if (lines > MAX_LINES) {
    throw new OptionError(
      'linesPerRecord',
      `${name('linesPerRecord')} must be at most ${MAX_LINES} (got ${lines})`,
    );
  }
  return lines;
}

/** Whether two framing names say the same framing (`lines:1` is `lines`); a bad one says none. */
function sameFraming(a: string, b: string): boolean {
  try {
    return parseFraming(a).name === parseFraming(b).name;
  } catch {
    return false;
  }
}

/**
 * --records: blocks of so many records. Not with --block, which sizes them another way, nor with
 * --dispatch hash, which gives each record to a worker by its key and makes no blocks of the input's.
 */
export function recordsPerBlock(
  settings: FanSettings,
  dispatch: FanOptions['dispatch'],
  name: NameOf,
): number | undefined {
  if (settings.records === undefined) return undefined;
  const records = count(settings.records, name('records'), 'records', 1);
  if (settings.block !== undefined) {
    throw new OptionError(
      'records',
      `${name('records')} and ${name('block')} both say how large a block is: give one of them`,
    );
  }
  if (dispatch === 'hash') {
    throw new OptionError(
      'records',
      `${name('records')} cuts the input into blocks of so many records, which ${name('dispatch', 'hash')} does not keep (it picks each record's worker by its key)`,
    );
  }
  return records;
}

/**
 * A filter that speaks the protocol (--threads, --protocol) reads its blocks' records itself, by
 * the framing's name, and the SDK reads no records by regular expressions.
 */
export function refuseRegexpRecords(settings: FanSettings, framing: Framing, name: NameOf): void {
  if (framing.kind !== 'regexp') return;
  const how = settings.protocol !== undefined ? name('protocol', PROTOCOL_NAME) : name('threads');
  throw new OptionError(
    'split',
    `${name('split', framing.name)} cannot go with ${how}: the filter reads each block's records itself, and it cuts none by regular expressions; use ${name('perBlock')} or a worker that reads lines`,
  );
}

/**
 * --rrs: whether blocks are given without their separators; refused where there are none
 * (`fixed:`, `frames`) and for SDK filters, which read the blocks' records by them.
 */
export function removeRecSepOf(
  settings: FanSettings,
  framing: Framing,
  attribution: FanOptions['attribution'],
  name: NameOf,
): boolean {
  if (!flag(settings, 'removeRecSep', name)) return false;
  if (separatorRemover(framing) === null) {
    throw new OptionError(
      'removeRecSep',
      `${name('removeRecSep')}: ${name('split', framing.name)} has no record separators to remove`,
    );
  }
  if (attribution === 'protocol') {
    const how = settings.protocol !== undefined ? name('protocol', PROTOCOL_NAME) : name('threads');
    throw new OptionError(
      'removeRecSep',
      `${name('removeRecSep')} cannot go with ${how}: the filter reads each block's records by the separators it would remove`,
    );
  }
  return true;
}
