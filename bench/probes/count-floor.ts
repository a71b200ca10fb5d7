#!/usr/bin/env node
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { countEnds } from '../../orchestrator/fan/range-file.js';
import { probeArgs } from './args.js';

/**
 * The floor under `--merge ordered --one-to-one`: a persistent worker's output is tied to its
 * blocks by counting records, so every record end is counted twice, once in the input (how many
 * records each block holds) and once in the output (where each block's output ends), with the
 * fan's own `countEnds` (one `indexOf` per record). This counts the file's newlines twice, read
 * in 1 MiB pieces into one buffer used again, and writes the milliseconds the counting took (the
 * reads are not counted), then the number of records.
 * Usage: node count-floor.js --out FILE --input FILE
 */
const args = probeArgs();
const out = args.required('--out');
const input = args.required('--input');
const newline = Buffer.from('\n');
const fd = openSync(input, 'r');
const buffer = Buffer.allocUnsafeSlow(1 << 20);
let counting = 0n;
let records = 0;
for (let position = 0; ; ) {
  const got = readSync(fd, buffer, 0, buffer.length, position);
  if (got === 0) break;
  const piece = buffer.subarray(0, got);
  const started = process.hrtime.bigint();
  // In, then out: the same bytes, as `cat` gives back what it is given.
  const { found, end } = countEnds(piece, newline);
  countEnds(piece, newline);
  counting += process.hrtime.bigint() - started;
  records += found;
  // The next piece starts after the last record end, as a range is cut.
  position += end > 0 ? end : got;
}
closeSync(fd);
writeFileSync(
  out,
  `${Math.round(Number(counting) / 1e6)}\n${(records / 1e6).toFixed(2)} M records, each end counted twice\n`,
);
