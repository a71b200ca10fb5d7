#!/usr/bin/env node
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { filterCases } from './cases/filters.js';
import { writeAccessLog } from './data.js';
import { describeMachine, medianSeconds } from './measure.js';
import { type Case, formatTable, type Measured } from './report.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const program = new Command('bench')
  .description('Benchmarks manifold against awk, GNU parallel and plain pipes on generated data.')
  .option('--quick', 'small data and one run per case: proves the suite works, times mean little')
  .option('--runs <n>', 'timed runs per case (after one warm-up); the median is reported', '5')
  .option('--size <mb>', 'megabytes of generated text for the filter cases', '100')
  .parse();
const options = program.opts<{ quick?: boolean; runs: string; size: string }>();
const runs = options.quick ? 1 : Number(options.runs);
const megabytes = options.quick ? 2 : Number(options.size);

const folder = await mkdtemp(join(tmpdir(), 'manifold-bench-'));
try {
  const log = join(folder, 'access.log');
  await writeAccessLog(log, megabytes * 1e6);
  const bytes = (await stat(log)).size;
  const cases: Case[] = filterCases({ root, log, bytes });

  const measured: Measured[] = [];
  for (const [item, seconds] of await medianSeconds(
    cases.map((c) => c.command),
    runs,
  )) {
    measured.push({ ...cases.find((c) => c.command === item)!, seconds });
  }
  console.log(`# manifold benchmarks\n`);
  console.log(`Machine: ${describeMachine()}  `);
  console.log(
    `Data: ${(bytes / 1e6).toFixed(0)} MB of generated access-log lines; median of ${runs} run(s) after a warm-up.\n`,
  );
  console.log(formatTable(measured, bytes, !options.quick));
} finally {
  await rm(folder, { recursive: true, force: true });
}
