import type { Framing } from '../../filters/index.js';

/**
 * Counts the records in bytes that hold whole records (a final one may lack its delimiter):
 * delimiters are counted, frames walked, fixed records divided.
 */
export function countRecords(
  parts: Buffer[],
  framing: Framing,
  maxRecord = Number.POSITIVE_INFINITY,
): number {
  switch (framing.kind) {
    case 'delimited':
      return countDelimited(parts, framing.delimiter, maxRecord);
    case 'fixed':
      return Math.ceil(parts.reduce((n, part) => n + part.length, 0) / framing.size);
    case 'frames': {
      const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      let count = 0;
      for (let at = 0; at + 4 <= data.length; at += 4 + data.readUInt32BE(at)) count++;
      return count;
    }
    case 'raw':
      return parts.length;
  }
}

/** Thrown by countRecords for a record longer than the maximum: `index` is 0-based. */
export class LongRecord extends Error {
  constructor(
    readonly index: number,
    readonly size: number,
  ) {
    super('record too long');
  }
}

function countDelimited(parts: Buffer[], delimiter: Buffer, maxRecord: number): number {
  const whole = delimiter.length === 1 || parts.length === 1 ? parts : [Buffer.concat(parts)];
  const step = delimiter.length;
  let count = 0;
  let last: Buffer | undefined;
  // Where the current record began, counted over all parts, to measure each record.
  let start = 0;
  let offset = 0;
  for (const part of whole) {
    if (part.length === 0) continue;
    last = part;
    let at = step === 1 ? part.indexOf(delimiter[0]!) : part.indexOf(delimiter);
    while (at >= 0) {
      if (offset + at - start > maxRecord) throw new LongRecord(count, offset + at - start);
      count++;
      start = offset + at + step;
      at = step === 1 ? part.indexOf(delimiter[0]!, at + 1) : part.indexOf(delimiter, at + step);
    }
    offset += part.length;
  }
  if (last === undefined) return 0;
  if (offset - start > maxRecord) throw new LongRecord(count, offset - start);
  const ends = last.length >= step && last.subarray(last.length - step).equals(delimiter);
  return ends ? count : count + 1;
}
