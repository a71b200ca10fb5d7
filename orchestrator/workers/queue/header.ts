import { JetStreamApiError } from '@nats-io/jetstream';
import { formatSize, UsageError } from '../../../filters/index.js';
import { FrameKind } from '../frame/index.js';
import type { InputHeader } from '../header.js';
import type { QueueConnection } from './connect.js';
import {
  frameMessage,
  HEADER_RECORDS,
  headersOf,
  MESSAGE_OVERHEAD,
  numberHeader,
  readMessage,
} from './messages.js';
import { type JobNames, type JobOptionName, jobFlagOf } from './names.js';
import { publishUntilStored } from './publish.js';
import { lastStored } from './stored.js';

/**
 * The job's stored header (--header) as its run published it: null when none is stored yet, or
 * the one stored is another run's (a job of that name before this one).
 */
export async function readHeader(
  conn: QueueConnection,
  names: JobNames,
  run: string,
): Promise<InputHeader | null> {
  let stored: Awaited<ReturnType<typeof lastStored>>;
  try {
    stored = await lastStored(
      conn,
      `the header of job "${names.job}"`,
      names.resultsStream,
      names.headerSubject,
    );
  } catch (error) {
    if (error instanceof JetStreamApiError) return null;
    throw error;
  }
  if (stored === null) return null;
  const frame = readMessage(stored.data);
  if (frame.run !== run) return null;
  const records = numberHeader(stored.header, HEADER_RECORDS);
  // Copied: the message's memory is the client's.
  const bytes = Buffer.from(frame.payload);
  return { parts: bytes.length === 0 ? [] : [bytes], bytes: bytes.length, records };
}

/**
 * Gives the job's workers the input's header, once, before its first block: published, or, for
 * a resumed job that has one stored, checked to be the same (its answers were made with it):
 * a UsageError when it is not. Resolves false when stopped first.
 */
export async function settleHeader(
  conn: QueueConnection,
  names: JobNames,
  run: string,
  header: InputHeader,
  stopped: () => boolean,
  log: (line: string) => void,
  name: JobOptionName = jobFlagOf,
): Promise<boolean> {
  const mine = Buffer.concat(header.parts);
  const stored = await readHeader(conn, names, run);
  if (stored !== null) {
    const theirs = Buffer.concat(stored.parts);
    if (stored.records === header.records && theirs.equals(mine)) {
      log(`header: ${describe(mine, header.records)}, the job's already`);
      return true;
    }
    throw new UsageError(
      `job "${names.job}" on the queue was started with another header (${describe(theirs, stored.records)}, this input's ${describe(mine, header.records)}): resume it with the same input, or give another ${name('job')}`,
    );
  }
  if (mine.length + MESSAGE_OVERHEAD > conn.maxPayload)
    throw new Error(
      `the input's header (${formatSize(mine.length)}) is over max_payload ${formatSize(conn.maxPayload)} less ${MESSAGE_OVERHEAD} bytes kept for headers: it cannot travel to the workers (docs/queue.md)`,
    );
  const data = frameMessage(FrameKind.Hello, run, 0, header.parts);
  const headers = headersOf({ [HEADER_RECORDS]: header.records });
  const msgID = `${names.job}.header`;
  const options = { msgID, headers };
  const published = await publishUntilStored(
    conn,
    names.headerSubject,
    data,
    options,
    stopped,
    log,
  );
  if (published === null) return false;
  log(`header: ${describe(mine, header.records)}, given to the workers`);
  return true;
}

/** `"id,name\n…" (1 record)`: a header as a message shows it. */
function describe(bytes: Buffer, records: number): string {
  const text = bytes.subarray(0, 40).toString('utf8');
  const more = bytes.length > 40 ? '…' : '';
  return `${JSON.stringify(text)}${more} (${records} record${records === 1 ? '' : 's'})`;
}
