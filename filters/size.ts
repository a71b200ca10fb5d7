import { quoteName, RecordError, type RecordPosition, UsageError } from './errors.js';
import { amountOf } from './number-text.js';

// K M G T P, as GNU parallel reads them (its multiply_binary_prefix): upper case is a power of
// 1024, lower case a power of 1000, and an `i` after either (`Ki`, `mi`) makes it 1024 again.
// A `B` may follow (`KiB`, `MB`, `kB`): the letter's case decides, as without it.
const PREFIXES = 'KMGTP';
const UNIT = /^(?:([kmgtp])(i?))?b?$/i;

/** What one `unit` (`K`, `m`, `MiB`, ``) is worth in bytes; undefined for no unit of sizes. */
function unitBytes(unit: string): number | undefined {
  const match = UNIT.exec(unit);
  if (match === null) return undefined;
  const [, prefix, binary] = match;
  if (prefix === undefined) return 1;
  const power = PREFIXES.indexOf(prefix.toUpperCase()) + 1;
  return (binary !== '' || prefix === prefix.toUpperCase() ? 1024 : 1000) ** power;
}

/**
 * The largest size accepted: 1 TiB. No buffer or record can be larger, and any larger count
 * would soon leave the integers a double holds exactly.
 */
export const MAX_SIZE = 1024 ** 4;

/**
 * Parses a byte size such as `512`, `64K`, `1M`, `8MiB`, `1.5G` or `100k`. As in GNU parallel's
 * `--block`, upper-case units are binary (K = 1024), lower-case ones decimal (k = 1000), and
 * `Ki`/`ki` binary whatever the case.
 */
export function parseSize(text: string, what = 'size'): number {
  const match = amountOf(text);
  const unit = match ? unitBytes(match.unit) : undefined;
  if (!match || unit === undefined) {
    throw new UsageError(`${what} ${quoteName(text)} is not a size (examples: 4096, 64K, 1M, 2G)`);
  }
  // A fraction of a unit is rounded down to bytes (1.1K is 1126); a fraction of a byte is no size.
  if (unit === 1 && !Number.isInteger(match.amount)) {
    throw new UsageError(`${what} ${quoteName(text)} is not a whole number of bytes`);
  }
  const bytes = Math.floor(match.amount * unit);
  if (bytes > MAX_SIZE) {
    throw new UsageError(
      `${what} ${quoteName(text)} is too large (at most ${formatSize(MAX_SIZE)})`,
    );
  }
  if (bytes < 1) throw new UsageError(`${what} ${quoteName(text)} must be at least 1 byte`);
  return bytes;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** The power of 1024 a byte count is said in: the largest unit it makes one of (B below 1 KiB). */
function unitOf(bytes: number): number {
  let i = 0;
  while (bytes >= 1024 ** (i + 1) && i < UNITS.length - 1) i++;
  return i;
}

/** A byte count for people: `64 MiB`, `1.5 KiB`, `12 B`. */
export function formatSize(bytes: number): string {
  const i = unitOf(bytes);
  const value = bytes / 1024 ** i;
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${text} ${UNITS[i]}`;
}

/**
 * `bytes` said beside a `limit` they exceed, so that they read as more than it: `2.9 KiB`, or,
 * where rounding to one decimal would show the limit or less (`2.0 MiB` beside `2 MiB`), the
 * limit and what is over it: `2 MiB + 1 B`.
 */
export function formatSizeOver(bytes: number, limit: number): string {
  const text = formatSize(bytes);
  if (bytes <= limit || shownTenths(bytes) > shownTenths(limit)) return text;
  return `${formatSize(limit)} + ${formatSize(bytes - limit)}`;
}

/**
 * What `formatSize` shows of `bytes`, in tenths of a byte (`2.0 MiB`: 20971520): its unit's
 * tenths, rounded half up as `toFixed` does. Whole numbers throughout: `bytes * 10` and its
 * quotient by a power of two are exact for any count below 2^49.
 */
function shownTenths(bytes: number): number {
  const unit = 1024 ** unitOf(bytes);
  return Math.round((bytes * 10) / unit) * unit;
}

/**
 * What is said of a record over --max-record (`limit`) of which `size` bytes were seen (`so
 * far` unless it was measured whole), and what to do: one wording for the input's records and
 * the workers' output. `option`: --max-record as the caller spells it.
 */
export function recordTooLargeText(
  limit: number,
  size: number,
  whole: boolean,
  option: string,
): string {
  const seen = `${formatSizeOver(size, limit)}${whole ? '' : ' so far'}`;
  return `record is larger than the maximum record size ${formatSize(limit)} (${seen}); raise it with ${option}`;
}

/**
 * A frame at `position` whose header announces `length` bytes, over --max-record (`limit`):
 * said as what the header says, since nothing of it was read, and most often the input is not
 * frames at all (text read as `--split frames`). `option`: --max-record as the caller spells it.
 */
export function frameTooLarge(
  position: RecordPosition,
  length: number,
  limit: number,
  option = '--max-record',
  what = 'the input',
): RecordError {
  return new RecordError(position, frameTooLargeText(length, limit, option, what), {
    code: 'manifold.recordTooLarge',
  });
}

/** `frameTooLarge`'s words, of `what` (the input, a worker's output: `it`). */
export function frameTooLargeText(
  length: number,
  limit: number,
  option: string,
  what: string,
): string {
  return `frame header says ${formatSizeOver(length, limit)}, more than the maximum record size ${formatSize(limit)}: is ${what} frames? (${option} raises the limit)`;
}

/**
 * What is said of frames that end inside one: the length its header says (null: inside the
 * 4-byte header itself) and the bytes `held` of it (header included), where `what` ends.
 */
export function truncatedFrameText(announced: number | null, held: number, what: string): string {
  return announced === null
    ? `truncated frame: ${what} ends inside a 4-byte frame header (${held} bytes)`
    : `truncated frame: its header says ${announced} bytes but ${what} ends after ${held - 4}`;
}

/** A count and its word, made plural unless it is one: `1 duplicate`, `3 slots`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * An input record over --max-record, at `position`: `size` bytes of it, `so far` unless it was
 * measured whole. The one message every reader of records gives; `option` is --max-record as
 * the caller spells it (a config's `max-record`).
 */
export function recordTooLarge(
  position: RecordPosition,
  maxRecord: number,
  size: number,
  whole = false,
  option = '--max-record',
): RecordError {
  return new RecordError(position, recordTooLargeText(maxRecord, size, whole, option), {
    code: 'manifold.recordTooLarge',
  });
}
