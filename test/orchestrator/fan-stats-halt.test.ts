import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan, readStats, type StatsDoc } from '../support/fan-run.js';
import { records } from '../support/lines.js';
import { tempDir } from '../support/temp.js';

// --stats' totals are what the workers were given. They counted the blocks read, so a run that
// halted said it had handled the blocks it read ahead and never gave to a worker (with -j 2 and
// 64 KiB blocks, 16 blocks in the totals where the workers had been given 5).
// Inputs are 16-byte numbered lines: with --block 1K, a block holds 64 records.

/** The sums of the workers' own counts, to set beside the totals. */
const givenToWorkers = ({ workers }: StatsDoc) => ({
  blocks: workers.reduce((n, worker) => n + worker.blocks, 0),
  recordsIn: workers.reduce((n, worker) => n + worker.recordsIn, 0),
  bytesIn: workers.reduce((n, worker) => n + worker.bytesIn, 0),
});

const totalsIn = ({ totals: { blocks, recordsIn, bytesIn } }: StatsDoc) => ({
  blocks,
  recordsIn,
  bytesIn,
});

describe('--stats totals count what workers were given', () => {
  it('under --halt now, not the blocks read ahead and never given', async () => {
    const dir = tempDir('manifold-stats-halt-');
    const stats = join(dir, 'stats.json');
    // Block 1 fails at once: the run halts with blocks read and queued behind it.
    const script = 'if [ $MANIFOLD_BLOCK = 1 ]; then exit 3; fi; cat';
    const args = ['-j', '1', '--per-block', '--block', '1K', '--stats', stats];
    const result = await fan(
      [...args, '--halt', 'now,fail=1', '--shell', '--', script],
      records(1, 64 * 200),
      { timeout: 20_000 },
    );
    expect(result.exitCode).toBe(1);
    const summary = readStats(stats);
    expect(totalsIn(summary)).toEqual({ blocks: 1, recordsIn: 64, bytesIn: 1024 });
    expect(totalsIn(summary)).toEqual(givenToWorkers(summary));
  }, 30_000);

  it('a block tried twice counts once in the totals, twice in its workers', async () => {
    const dir = tempDir('manifold-stats-halt-');
    const stats = join(dir, 'stats.json');
    // Each block fails on its first try and succeeds on its second.
    const script = `M=${dir}/tried-$MANIFOLD_BLOCK; if [ ! -e $M ]; then touch $M; exit 3; fi; cat`;
    const args = ['-j', '2', '--per-block', '--block', '1K', '--retries', '1', '--stats', stats];
    const result = await fan([...args, '--shell', '--', script], records(1, 64 * 4), {
      timeout: 20_000,
    });
    expect(result.exitCode).toBe(0);
    const summary = readStats(stats);
    expect(totalsIn(summary)).toEqual({ blocks: 4, recordsIn: 256, bytesIn: 4096 });
    expect(givenToWorkers(summary)).toEqual({ blocks: 8, recordsIn: 512, bytesIn: 8192 });
  }, 30_000);
});
