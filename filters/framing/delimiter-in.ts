/**
 * Why a record written with `delimiter` after it would not read back as one record: it
 * `contains` the delimiter, or `ends with the start of` one that can overlap itself (`\n\n`,
 * `AA`: `xA` then `AA` reads back as `x` and `A...`); null when it reads back whole.
 */
export function delimiterProblem(
  record: Buffer,
  delimiter: Buffer,
): 'contains' | 'ends with the start of' | null {
  if (record.includes(delimiter)) return 'contains';
  const tail = record.subarray(Math.max(0, record.length - delimiter.length + 1));
  return Buffer.concat([tail, delimiter]).indexOf(delimiter) < tail.length
    ? 'ends with the start of'
    : null;
}
