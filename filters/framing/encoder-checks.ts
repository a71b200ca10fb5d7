import { outputRecordError } from './encode-value.js';
import type { Framing } from './spec.js';
import { viewOf } from './view.js';

// What RecordEncoder checks of a record before it writes it, where a framing reads back only
// some records as they were written (start:, between:).

/**
 * A record that begins with a string is written as it is, its strings in it: one that did not
 * begin with the start string (or whose record before did not end with the end string) would
 * be read back as part of the record before it, so only the first record may; one that holds
 * its end and start inside it would be read back as two, and an empty one as none. A `span` of
 * records as they were read is checked only for how it follows the records before. Returns
 * whether it is left open (it does not end with the end string).
 */
export function checkStarted(
  record: Uint8Array,
  framing: Extract<Framing, { kind: 'started' }>,
  wrote: boolean,
  open: boolean,
  span: boolean,
): boolean {
  const { start, end, name } = framing;
  if (wrote) {
    if (open) {
      throw outputRecordError(
        `a record follows one that does not end with ${JSON.stringify(end.toString())}; in ${name} output only the last record may`,
      );
    }
    if (!startsWith(record, start)) {
      throw outputRecordError(
        `the record does not begin with ${JSON.stringify(start.toString())}; in ${name} output only the first record may not`,
      );
    }
  }
  if (span) return !endsWith(record, end);
  if (record.length === 0)
    throw outputRecordError(`the record is empty, which ${name} output reads back as no record`);
  const boundary = Buffer.concat([end, start]);
  // A start string at a record's own beginning is no boundary; an end string before it is.
  if (viewOf(record, 0, record.length).indexOf(boundary, end.length === 0 ? 1 : 0) >= 0) {
    throw outputRecordError(
      `the record holds ${JSON.stringify(boundary.toString())} inside it, where ${name} output is read back as two records`,
    );
  }
  return !endsWith(record, end);
}

function startsWith(bytes: Uint8Array, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && prefix.equals(bytes.subarray(0, prefix.length));
}

function endsWith(bytes: Uint8Array, suffix: Buffer): boolean {
  return (
    bytes.length >= suffix.length && suffix.equals(bytes.subarray(bytes.length - suffix.length))
  );
}
