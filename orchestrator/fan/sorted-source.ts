import { placeAt } from '../../filters/errors.js';
import { type RecordDecoder, RecordError } from '../../filters/index.js';
import { collationHint } from './collation.js';
import type { Run } from './run.js';

// The sorted merge's sources (sorted.ts): a worker's output, or a block's, decoded as it
// arrives into the records of one run.

/** Output is decoded this many bytes at a time. */
const DECODE_WINDOW = 64 * 1024;

/** Where a run's records come from, as they arrive: decoded, and checked to be in order. */
export interface Source {
  run: Run;
  decoder: RecordDecoder;
  input: string;
  /**
   * The name messages give it where it is made when a message is (a block of several input
   * files named in them: input-places.ts); `input` names it for the decoder meanwhile.
   */
  named?: () => string;
  last: Buffer | null;
  /**
   * A block's output that broke its run (out of order, a record over --max-record), held until
   * the block's end says whose it is: a failed try's is dropped with it, and --retries tries
   * the block again; a done block's fails the run.
   */
  broken?: RecordError;
}

/**
 * Decodes a chunk a window at a time, each window's records handed to `take`: a view per
 * record lives only until its place is kept, where a megabyte of short records decoded at once
 * outlived a young-generation collection (and a view costs ~100 bytes of heap: the old
 * generation grew by megabytes a collection).
 */
export function addChunk(source: Source, chunk: Buffer, take: (records: Buffer[]) => void): void {
  try {
    for (let at = 0; at < chunk.length; at += DECODE_WINDOW) {
      const records: Buffer[] = [];
      source.decoder.push(chunk.subarray(at, at + DECODE_WINDOW), records);
      take(records);
    }
  } catch (error) {
    throw namedBy(source, error);
  }
}

/** The source's end: its last record, if it lacks its delimiter, handed to `take`; run closed. */
export function endSource(source: Source, take: (records: Buffer[]) => void): void {
  const records: Buffer[] = [];
  try {
    source.decoder.end(records);
    take(records);
  } catch (error) {
    throw namedBy(source, error);
  }
  source.run.closed = true;
}

/** A record error of `source`'s output, named as messages name it (`Source.named`). */
function namedBy(source: Source, error: unknown): unknown {
  if (source.named === undefined || !(error instanceof RecordError)) return error;
  return error.position.input === source.input ? error.in(source.named()) : error;
}

/**
 * Checks that `records`, the next of `source`'s run, keep its order by `compare`, and takes the
 * last as the run's; a record out of order is the run's error, named by its run and number
 * (`merge` spells the option for the message).
 */
export function checkOrder(
  source: Source,
  records: Buffer[],
  compare: (a: Buffer, b: Buffer) => number,
  merge: string,
  env?: NodeJS.ProcessEnv,
): void {
  let last = source.last;
  const before = source.decoder.count - records.length;
  let i = 0;
  try {
    for (; i < records.length; i++) {
      const record = records[i]!;
      // The first is compared with itself, so that a key that cannot be read (a record that
      // is not JSON under a json: key) fails here, named by its run and number.
      if (compare(last ?? record, record) > 0) {
        throw new RecordError(
          { input: source.input, record: before + i + 1 },
          `not sorted by the key: ${merge} needs every worker to write sorted output${collationHint(env)}`,
        );
      }
      last = record;
    }
  } catch (error) {
    throw placeAt({ input: source.input, record: before + i + 1 }, error);
  }
  source.last = last;
}
