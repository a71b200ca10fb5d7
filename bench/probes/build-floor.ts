#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { sortByKey } from '../../orchestrator/tables/key-sort.js';
import { Run } from '../../orchestrator/tables/run.js';
import { userKey } from '../table-data.js';
import { probeArgs } from './args.js';

/**
 * Two floors under `table build` besides LMDB's appends (lmdb-floor.ts), each on its own:
 * `--fresh BYTES`: the milliseconds it takes to touch that much fresh memory, a byte per page
 * (page faults: the build holds its input in memory until it is sorted, so it pays them once at
 * least). `--sort N`: the milliseconds the build's sort takes over N keys like the bench's
 * table's (`u00012345`, in the same scrambled order), held in a run as the build holds them.
 * Usage: node build-floor.js --out FILE (--fresh BYTES | --sort N)
 */
const args = probeArgs();
const milliseconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;
let figure: number;

const fresh = args.option('--fresh');
if (fresh !== undefined) {
  const bytes = Number(fresh);
  const started = process.hrtime.bigint();
  const memory = Buffer.allocUnsafeSlow(bytes);
  for (let at = 0; at < bytes; at += 4096) memory[at] = 1;
  figure = milliseconds(started);
} else {
  const n = Number(args.required('--sort'));
  const run = new Run(2 ** 32 - 1, n * 10);
  const value = Buffer.alloc(0);
  // The table's order: user `i * 7919 mod n` on line `i` (table-data.ts).
  for (let line = 0; line < n; line++) {
    run.add(Buffer.from(userKey((line * 7919) % n), 'latin1'), value, 0, line + 1);
  }
  const started = process.hrtime.bigint();
  const { order } = sortByKey(run, run.count);
  figure = milliseconds(started);
  if (order.length !== n) throw new Error('the sort lost records');
}
writeFileSync(args.required('--out'), `${Math.round(figure)}\n`);
