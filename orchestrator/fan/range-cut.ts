import type { Framing } from '../../filters/index.js';
import { namesFirstRecord } from './first-record.js';
import type { FanOptions } from './options.js';

// Whether a fan's input is read as byte ranges (range-input.ts), and how a block's end is found.

/** How a block's end is found by looking near it only: a delimiter, or records of one size. */
export type RangeCut = { kind: 'delimiter'; delimiter: Buffer } | { kind: 'fixed'; size: number };

/**
 * The cut of a framing whose record ends can be found from a block's end alone, or null: a
 * delimiter that can overlap itself (`aa`: is `aaa` a record `a` or `` then `a`?) must be
 * searched from the front, and a frame's end is known only by walking every frame before it.
 */
export function rangeCut(framing: Framing): RangeCut | null {
  if (framing.kind === 'fixed') return { kind: 'fixed', size: framing.size };
  if (framing.kind !== 'delimited') return null;
  const d = framing.delimiter;
  for (let shift = 1; shift < d.length; shift++) {
    if (d.subarray(0, d.length - shift).equals(d.subarray(shift))) return null;
  }
  return { kind: 'delimiter', delimiter: d };
}

/**
 * Whether something reports the input's records (--stats, --progress, --joblog, a pipeline's or
 * the library's counts): then each block's records are counted as it is cut, one search each.
 */
function counts(options: FanOptions): boolean {
  const { stats, progress, joblog, countOutput } = options;
  return stats !== null || progress || Boolean(joblog) || countOutput === true;
}

/**
 * The cut for reading a fan's input as ranges, or null when it must be read and scanned as a
 * stream. Whole blocks go to one worker each (ready or round-robin dispatch), and no --header
 * (its records are taken off the input's front), no --records. Attributed workers (threads, per-block
 * processes, --one-to-one, --protocol) qualify too, and so do runs that report records
 * (`counts`): their blocks' records are counted as the ranges are read (`numbered`).
 */
export function rangesFor(options: FanOptions): RangeCut | null {
  const { dispatch, header } = options;
  if (dispatch !== 'ready' && dispatch !== 'round-robin') return null;
  // Blocks of so many records are cut where their records end, each one found.
  if (options.records !== undefined) return null;
  // So are blocks of whole runs of one key (--group-by): each record's key is read.
  if (options.groupBy !== undefined) return null;
  if (options.attribution !== 'none' && !localKind(options)) return null;
  if (header) return null;
  const cut = rangeCut(options.framing);
  // A record is measured where it spans a block's end. One over --max-record inside a block
  // larger than the limit is measured by the range reader for records ended by one byte
  // (record-measure.ts; records of one size fit the limit, checked up front); otherwise, and
  // for a limit below a window's worth, the limit is checked record by record, as a stream is.
  if (options.maxRecord < options.blockSize && !measurable(cut, options.maxRecord)) return null;
  return cut;
}

/** The smallest --max-record whose blocks are measured rather than read record by record. */
const MEASURED_FROM = 64 * 1024;

function measurable(cut: RangeCut | null, maxRecord: number): boolean {
  if (cut === null || maxRecord < MEASURED_FROM) return false;
  return cut.kind === 'fixed' || cut.delimiter.length === 1;
}

/**
 * The delimiter byte by which a fan's stream input (a pipe) is cut into blocks by looking near
 * their ends only, and whether its blocks are then numbered; or null when its records must be
 * found one by one. The conditions are those of ranges (`rangesFor`): records ended by one
 * byte. Where attributed workers need record numbers (`numbered`), each block's records are
 * counted once it is cut, many at a time (filters/framing/byte-count.ts); otherwise none is,
 * and a record over --max-record is named by its byte offset, as a pipe cannot be read again to
 * count the records before it.
 */
export function streamEnds(options: FanOptions): { delimiter: number; numbered: boolean } | null {
  const cut = rangesFor(options);
  if (cut === null || cut.kind !== 'delimiter' || cut.delimiter.length !== 1) return null;
  // A pipe's blocks are not measured: a limit below the block size is checked record by record.
  if (options.maxRecord < options.blockSize) return null;
  return { delimiter: cut.delimiter[0]!, numbered: streamNumbered(options) };
}

/**
 * Whether a fan's blocks cut by their ends from a stream must carry record numbers: attributed
 * workers are told where their block starts (a thread's or a --protocol filter's
 * `context.recordNumber` and its messages, a per-block process's MANIFOLD_FIRST_RECORD) or
 * count its records out (--one-to-one).
 */
function streamNumbered(options: FanOptions): boolean {
  return options.attribution !== 'none' || counts(options);
}

/**
 * Whether a fan's ranges of a file must carry record numbers, as a stream's blocks do
 * (`streamNumbered`), but for per-block processes: they are told their block's first record
 * (MANIFOLD_FIRST_RECORD) only when their command names it (`namesFirstRecord`), since counting
 * every record of every block cost a per-block run from a file ~12% of its time
 * (docs/performance.md); a message that names a block's records counts them then
 * (range-numbers.ts).
 */
export function rangesNumbered(options: FanOptions): boolean {
  if (options.attribution === 'per-block' && !counts(options)) {
    return namesFirstRecord(options.command);
  }
  return streamNumbered(options);
}

/**
 * Whether attributed workers of this kind may take ranges: local processes and threads, which
 * take a block's bytes as they are sent. Others (ssh, a queue) keep theirs the stream's way.
 */
function localKind(options: FanOptions): boolean {
  const { kind } = options;
  return kind === undefined || kind === 'process' || kind === 'thread';
}

/**
 * Blocks of workers that stay and are told or count their records (`--one-to-one`,
 * `--protocol`) are held in memory up to this size, as blocks read from a pipe are (LARGEST in
 * block-size.ts). Left in the file, such a block is read twice (its records counted, then sent),
 * which costs more than holding a small one: at 1 MiB, 3.5 s against 4.5 s on 1 GiB of words
 * sent by manifold, and more CPU where the process starter sends it (docs/performance.md). A
 * large block held costs its size for each worker and two waiting, every page touched fresh: at
 * 64 MiB, 6.2 s and 445 MB held against 4.9 s and 181 MB left.
 */
const HELD_MOST = 16 * 1024 * 1024;

/**
 * Whether a fan's ranges stay in the file until a worker takes them (`Block.source`), with
 * records whose ends a piece of the range shows whole (one-byte delimiters, records of one
 * size), since their records are counted a piece at a time: blocks for per-block processes (a
 * thread takes a block's memory whole), and blocks over `HELD_MOST` for processes that stay and
 * are told or count their records (`--one-to-one`, `--protocol`). And blocks for workers that
 * stay and need no numbers, where their kind sends blocks from the file itself (`fed`:
 * `WorkerKind.sendsFromFiles`), whatever the cut: only a block's last piece is read, for its
 * last record end. Such blocks hold no memory, so they can be large (block-size.ts).
 */
export function rangesStreamed(options: FanOptions, cut: RangeCut, fed: boolean): boolean {
  const { attribution, kind } = options;
  // Blocks given without their separators are copies in memory, not ranges of the file.
  if (options.removeRecSep) return false;
  if (attribution === 'none') return fed;
  if (kind === 'thread') return false;
  const counted = cut.kind === 'fixed' || cut.delimiter.length === 1;
  return counted && (attribution === 'per-block' || options.blockSize > HELD_MOST);
}
