import {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  open,
  openSync,
  type Stats,
  statSync,
} from 'node:fs';
import { promisify } from 'node:util';
import { describeErrno, quoteName } from '../../filters/errors.js';
import { DelimitedDecoder } from '../../filters/framing/delimited.js';
import { createDecoder, type Framing, UsageError } from '../../filters/index.js';
import { readChunks } from '../../filters/sdk/io.js';

/** The records of one read of an input, and the number of the first (1-based, in the input). */
export interface RecordsRead {
  records: Buffer[];
  firstRecord: number;
  bytes: number;
}

/** An input's name in messages: `stdin` for `-`. */
export function inputName(input: string): string {
  return input === '-' ? 'stdin' : input;
}

/**
 * Checks each input can be read before anything is built, and that none is named twice: stdin
 * (`-`, `/dev/stdin`, a file redirected to it) can be read once, and a file's records read
 * twice are never what is meant (as `join`: "both files cannot be standard input"). Inputs are
 * told apart by device and inode, so every name of one file is caught.
 */
export function checkBuildInputs(inputs: string[]): void {
  const seen = new Map<string, string>();
  const stats: Stats[] = [];
  for (const input of inputs) {
    const stat = inputStat(input);
    stats.push(stat);
    const identity = `${stat.dev}:${stat.ino}`;
    const first = seen.get(identity);
    if (first !== undefined) {
      throw new UsageError(
        `inputs ${quoteName(first)} and ${quoteName(input)}: ${twice(first, input, stat)}: name it once`,
      );
    }
    seen.set(identity, input);
  }
  for (const [i, input] of inputs.entries()) if (input !== '-') checkOpens(input, stats[i]!);
}

/** Why one input named twice is refused. */
function twice(first: string, second: string, stat: Stats): string {
  if (STDIN_NAMES.has(first) && STDIN_NAMES.has(second)) {
    return 'both are stdin, which can be read once';
  }
  if (stat.isFile()) return 'the same file, whose records would be read twice';
  return `the same ${stat.isFIFO() ? 'pipe' : 'device'}, which can be read once`;
}

const STDIN_NAMES = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/** An input's stat (`-` is stdin, which must not be a terminal), or its usage error. */
function inputStat(input: string): Stats {
  if (input === '-') {
    if (process.stdin.isTTY) {
      throw new UsageError('stdin is a terminal: pipe the table in, or name its files');
    }
    let stat: Stats;
    try {
      stat = fstatSync(0);
    } catch (error) {
      throw new UsageError('stdin is closed: pipe the table in, or name its files', error);
    }
    // Read as a stream, a directory gave no records and no error: an empty table, exit 0.
    if (stat.isDirectory()) {
      throw new UsageError('stdin is a directory: pipe the table in, or name its files');
    }
    return stat;
  }
  try {
    const stat = statSync(input);
    if (stat.isDirectory()) throw new UsageError(`input ${quoteName(input)}: is a directory`);
    return stat;
  } catch (error) {
    throw inputError(input, error);
  }
}

/**
 * Opens an input once, to be told now rather than after a build of the ones before it. A FIFO
 * is not opened: an open waits for its writer (who may write only once the inputs before it
 * are read, as `cat a fifo` reads them), and one closed again discards what the writer wrote,
 * leaving the read's open to wait for a writer gone. Its permission is checked instead.
 */
function checkOpens(input: string, stat: Stats): void {
  try {
    if (stat.isFIFO()) accessSync(input, constants.R_OK);
    else closeSync(openSync(input, 'r'));
  } catch (error) {
    throw inputError(input, error);
  }
}

function inputError(input: string, error: unknown): UsageError {
  if (error instanceof UsageError) return error;
  return new UsageError(`input ${quoteName(input)}: ${describeErrno(error)}`, error);
}

/**
 * Reads an input (`-` is stdin) and cuts it into records by the framing, read by read. The
 * records are views of the memory read into, valid until the next read is asked for: the
 * memory of a read is read into again once the decoder holds no unfinished record in it (fresh
 * memory is a page fault per 4 KiB, ~15 µs each on a virtual machine: 0.4 s for 100 MB).
 */
export async function* readRecords(
  input: string,
  framing: Framing,
  maxRecord: number,
): AsyncGenerator<RecordsRead> {
  const fd = input === '-' ? 0 : await openAsync(input, 'r');
  const decoder = createDecoder(framing, { input: inputName(input), maxRecord });
  const records: Buffer[] = [];
  // Other decoders keep unfinished records as views of the reads: their reads are not reused.
  const mayReuse =
    decoder instanceof DelimitedDecoder
      ? (memory: ArrayBufferLike) => !decoder.holds(memory)
      : undefined;
  try {
    for await (const chunk of chunksOf(fd, mayReuse)) {
      records.length = 0;
      decoder.push(chunk, records);
      yield { records, firstRecord: decoder.count - records.length + 1, bytes: chunk.length };
    }
    records.length = 0;
    decoder.end(records);
    yield { records, firstRecord: decoder.count - records.length + 1, bytes: 0 };
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

/**
 * Opens an input off the event loop: a FIFO's open waits for a writer, and one made on the
 * loop held the build's signals with it (SIGTERM did nothing; only SIGKILL ended it).
 */
const openAsync = promisify(open);

/**
 * The reads of an input. A file's are synchronous, into memory used again (`readChunks`). A
 * pipe's, a socket's or a device's wait for their writer, and a synchronous read would hold the
 * build's signals with it: `(printf 'k v\n'; sleep 30) | manifold table build - ...` handled a
 * SIGINT thirty seconds late. They are read as a stream, off the event loop.
 */
function chunksOf(
  fd: number,
  mayReuse: ((memory: ArrayBufferLike) => boolean) | undefined,
): AsyncIterable<Buffer> {
  if (fstatSync(fd).isFile()) return readChunks(fd, undefined, mayReuse);
  if (fd === 0) return process.stdin;
  return createReadStream('', { fd, autoClose: false, highWaterMark: 1024 * 1024 });
}
