import { framingBytes } from '../../filters/framing/boundary.js';
import { type Framing, formatSize, type KeySpec, RecordError } from '../../filters/index.js';

// --group-by's runs: what the splitter (splitter.ts) keeps to end blocks only where the key
// changes, and the pieces it reads a record's key and names a run too large with.

/** --group-by's state: the key, the last record's, where the run in progress began. */
export interface Runs {
  key: KeySpec;
  /** --group-by and --max-record as messages spell them. */
  name: string;
  maxRecordName: string;
  /** The key of the run in progress (a copy), or null before the first record. */
  last: Buffer | null;
  /** Where the run in progress began, and how many records of the block come before it. */
  at: number;
  records: number;
  /** Framing bytes before a record's payload (a frame's header) and after it (a delimiter). */
  head: number;
  tail: number;
}

/** Runs of `key` in records of `framing`, none seen yet. */
export function newRuns(key: KeySpec, name: string, maxRecordName: string, framing: Framing): Runs {
  return {
    key,
    name,
    maxRecordName,
    last: null,
    at: 0,
    records: 0,
    head: framing.kind === 'frames' ? 4 : 0,
    // A delimiter after the payload (a frame's header is before it: `head`).
    tail: framing.kind === 'frames' ? 0 : framingBytes(framing),
  };
}

/** The bytes from `from` to `to` of `parts`, input read from offset `start` on. */
export function bytesOf(parts: Buffer[], start: number, from: number, to: number): Buffer {
  let offset = start;
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const end = offset + part.length;
    if (end > from && offset < to)
      pieces.push(part.subarray(Math.max(0, from - offset), Math.min(part.length, to - offset)));
    if (end >= to) break;
    offset = end;
  }
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

/** A run of `size` bytes over --max-record, named by its first `record`. */
export function runTooLarge(runs: Runs, record: number, size: number, limit: number): RecordError {
  return new RecordError(
    { input: 'input', record },
    `the run of records with this record's ${runs.name} key is larger than the maximum record size ${formatSize(limit)} (${formatSize(size)} so far): each run is held whole in one block; raise it with ${runs.maxRecordName}`,
    { code: 'manifold.recordTooLarge' },
  );
}
