import { durationMs, wholeNumber } from '../../filters/index.js';
import type { HaltCondition, HaltMode, HeaderSpec } from '../fan/options.js';
import { type NameOf, OptionError, show } from './checks.js';

// GNU parallel's job conveniences: --halt, --ok-status, --timeout, --header. Each parser names
// its option as the caller spells it.

const HALT = /^(now|soon|never)(?:,(fail|success)=(\d+(?:\.\d+)?)(%?))?$/;

/**
 * `--halt`, as GNU parallel spells it: `now`, `soon` or `never`, and for the first two an
 * optional `,fail=N`, `,fail=N%` or `,success=N`. `now` and `soon` alone mean `,fail=1`.
 */
export function parseHalt(value: unknown, name: NameOf): { halt: HaltMode; haltOn: HaltCondition } {
  const match = typeof value === 'string' ? HALT.exec(value) : null;
  const why = match?.[2] as 'fail' | 'success' | undefined;
  const count = Number(match?.[3] ?? 1);
  const percent = match?.[4] === '%';
  const wrong =
    match === null ||
    (match[1] === 'never' && why !== undefined) ||
    (why === 'success' && percent) ||
    (percent ? count <= 0 || count > 100 : !Number.isInteger(count) || count < 1);
  if (wrong) {
    throw new OptionError(
      'halt',
      `${name('halt')} must be now, soon or never, the first two optionally with ,fail=N, ,fail=N% or ,success=N (got ${show(value)}${parallelForm(value, /\bdone=/, "parallel's done=N, which counts jobs ended either way, is not one")})`,
    );
  }
  return { halt: match[1] as HaltMode, haltOn: { why: why ?? 'fail', count, percent } };
}

/**
 * `--ok-status 0,1`: exit statuses that are not failures, besides 0 (grep's 1, "no match").
 * 126 and 127 are refused: they say the command could not be run.
 */
export function parseOkStatus(value: unknown, name: NameOf): number[] {
  const words: unknown[] =
    typeof value === 'string'
      ? value.split(',')
      : typeof value === 'number'
        ? [value]
        : Array.isArray(value)
          ? value
          : [];
  const statuses = words.map(wholeNumber);
  if (words.length === 0 || statuses.some((status) => !(status >= 0 && status <= 255))) {
    throw new OptionError(
      'okStatus',
      `${name('okStatus')} must be exit statuses from 0 to 255, separated by commas, such as 0,1 (got ${show(value)})`,
    );
  }
  const notRun = statuses.find((status) => status === 126 || status === 127);
  if (notRun !== undefined) {
    throw new OptionError(
      'okStatus',
      `${name('okStatus')} cannot accept ${notRun}: it says the command could not be run`,
    );
  }
  return [...new Set([0, ...statuses])].sort((a, b) => a - b);
}

const UNITS: Record<string, number> = {
  '': 1000,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
/** The longest timer Node keeps (about 24.8 days): a longer one fires at once, with a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `300ms`, `30s`, `2.5s`, `5m`: a --timeout as people write it. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000 || ms % 60_000 !== 0) return `${ms / 1000}s`;
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${ms / 60_000}m`;
}

/**
 * `--timeout`: a duration, in seconds as GNU parallel's (`30`, `2.5`) or with a unit: `300ms`,
 * `30s`, `5m`, `1h`, `1d`. Returns milliseconds.
 */
export function parseTimeout(value: unknown, name: NameOf): number {
  return parseDuration(value, 'timeout', 1, name);
}

/**
 * `--delay`: the least time between two blocks' starts, as GNU parallel's `--delay` between
 * jobs' starts; the same durations as `--timeout`, and 0 (no delay). Returns milliseconds.
 */
export function parseDelay(value: unknown, name: NameOf): number {
  return parseDuration(value, 'delay', 0, name);
}

function parseDuration(
  value: unknown,
  option: 'timeout' | 'delay',
  least: 0 | 1,
  name: NameOf,
): number {
  const ms = durationMs(value, UNITS);
  if (!(ms >= least && ms <= MAX_TIMER_MS)) {
    throw new OptionError(
      option,
      `${name(option)} must be a duration from ${least === 0 ? '0' : '1ms'} to 24 days: seconds (30, 2.5) or with a unit (300ms, 30s, 5m, 1h) (got ${show(value)}${parallelForm(value, /%$/, "parallel's N%, a share of the jobs' median time, is not one")})`,
    );
  }
  return ms;
}

/**
 * `--header`: how many of the input's first records are a header (0: none), or `auto`. `:` is
 * one, as GNU parallel's `--header :` (the first line) is.
 */
/** The most lines a header may have: each block carries them all. */
const MAX_HEADER = 1_000_000;

export function parseHeader(value: unknown, name: NameOf, split?: string): HeaderSpec {
  // A CSV or TSV header is a line: records of n lines (-L 2) would have it take n.
  if (value === 'auto' && split !== undefined && split !== 'lines') {
    const why = `reads a CSV or TSV header line, and records here are ${split}`;
    throw new OptionError('header', `${name('header', 'auto')} ${why}: give a number of records`);
  }
  if (value === 'auto') return 'auto';
  if (value === ':') return 1;
  const n = wholeNumber(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_HEADER) {
    throw new OptionError('header', headerMessage(value, name));
  }
  return n;
}

function headerMessage(value: unknown, name: NameOf): string {
  return `${name('header')} must be a number of lines (records) up to ${MAX_HEADER}, : for one (as GNU parallel), or auto for a CSV or TSV file's one header line (got ${show(value)})`;
}

/** `; <why>` where `value` is a GNU parallel form manifold does not take, else ''. */
function parallelForm(value: unknown, form: RegExp, why: string): string {
  return typeof value === 'string' && form.test(value) ? `; ${why}` : '';
}
