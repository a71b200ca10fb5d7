import type { Framing } from '../../filters/index.js';

/**
 * Counts the records in bytes that hold whole records (a final one may lack its delimiter):
 * delimiters are counted, frames walked, fixed records divided.
 */
export function countRecords(parts: Buffer[], framing: Framing): number {
  switch (framing.kind) {
    case 'delimited':
      return countDelimited(parts, framing.delimiter);
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

function countDelimited(parts: Buffer[], delimiter: Buffer): number {
  const whole = delimiter.length === 1 || parts.length === 1 ? parts : [Buffer.concat(parts)];
  let count = 0;
  let last: Buffer | undefined;
  for (const part of whole) {
    if (part.length === 0) continue;
    last = part;
    if (delimiter.length === 1) {
      const byte = delimiter[0]!;
      for (let at = part.indexOf(byte); at >= 0; at = part.indexOf(byte, at + 1)) count++;
    } else {
      for (
        let at = part.indexOf(delimiter);
        at >= 0;
        at = part.indexOf(delimiter, at + delimiter.length)
      )
        count++;
    }
  }
  if (last === undefined) return 0;
  const ends =
    last.length >= delimiter.length &&
    last.subarray(last.length - delimiter.length).equals(delimiter);
  return ends ? count : count + 1;
}
