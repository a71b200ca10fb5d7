import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan, statsOf } from '../support/fan-run.js';
import { tempDir } from '../support/temp.js';

// Under --dispatch hash a block is one worker's part of an input block (MANIFOLD_BLOCK, the job
// log's Seq): --stats' totals count the parts too, as the workers' blocks and the job log's rows
// do. They counted the input blocks (6, against 18 parts and 18 rows).

const input = Array.from({ length: 100_000 }, (_, i) => `${i + 1}\n`).join('');

describe('--stats totals under --dispatch hash', () => {
  it("count the workers' parts: the workers' blocks, and the job log's rows", async () => {
    const joblog = join(tempDir(), 'jobs.tsv');
    const args = [
      '--dispatch',
      'hash',
      '--key',
      'field:1',
      '--block',
      '100k',
      '-j',
      '3',
      '--per-block',
    ];
    const result = await fan([...args, '--stats', '-', '--joblog', joblog, '--', 'cat'], input);
    expect(result.exitCode).toBe(0);
    const stats = statsOf(result);
    const parts = stats.workers.reduce((sum, worker) => sum + worker.blocks, 0);
    const rows = readFileSync(joblog, 'utf8').trim().split('\n').length - 1;
    expect(parts).toBeGreaterThan(6);
    expect([stats.totals.blocks, rows]).toEqual([parts, parts]);
    expect(stats.totals.recordsIn).toBe(100_000);
  });
});
