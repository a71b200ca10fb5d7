import { describe, it } from 'vitest';
import { byteDiff, sameBytes } from '../support/diff.js';
import { fan, statsOf } from '../support/fan-run.js';
import { records } from '../support/lines.js';

// Per-block workers start a process per block: without --block their blocks grow from the
// default block to what --merge-memory allows (orchestrator/fan/block-size.ts), and --verbose
// says so; with --block, every block is that size, however small.

const GROW =
  /^manifold: per-block workers: blocks grow from 1 MiB to 8 MiB, doubling every 2 blocks \(a process starts for each block; .*\); --block sets one size$/m;

// One test at a time: each keeps both cores busy (2,500 process starts, or 16 MiB through cat and
// this file's checks), so together they only shared them. The three 16 MiB runs, 2 s each alone,
// took 12-15 s of their 30 s in CI beside the 2,500 processes.
describe('the blocks of per-block workers', () => {
  it('--merge ordered on 2,500 tiny blocks (--block 16): the input back, a process each', async ({
    expect,
  }) => {
    // 16-byte records: one a block. Thousands of processes, started and merged in order; 10,000
    // checked nothing more and took 4 times as long (a process start each).
    const input = Buffer.from(records(1, 2_500));
    const result = await fan(
      ['-j', '4', '--block', '16', '--merge', 'ordered', '--verbose', '--stats', '-', '--', 'cat'],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    expect(result.stderr).not.toMatch(/blocks grow/);
    const stats = statsOf({ ...result, stderr: result.stderr.slice(result.stderr.indexOf('{')) });
    expect(stats.totals.blocks).toBe(2_500);
    expect(stats.workers.reduce((sum, w) => sum + w.pids.length, 0)).toBe(2_500);
  }, 600_000);

  it('without --block, blocks grow, doubling every -j blocks, and --verbose says to what', async ({
    expect,
  }) => {
    // 16 MiB of 16-byte records: blocks of 1, 1, 2, 2, 4, 4 and then 8 MiB.
    const input = Buffer.from(records(1, 1024 * 1024));
    const result = await fan(
      ['-j', '2', '--merge', 'ordered', '--verbose', '--stats', '-', '--', 'cat'],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    expect(result.stderr).toMatch(GROW);
    const stats = statsOf({ ...result, stderr: result.stderr.slice(result.stderr.indexOf('{')) });
    // The first blocks are cut as the input comes, a block a read at most: a few more than six.
    expect(stats.totals.blocks).toBeGreaterThanOrEqual(6);
    expect(stats.totals.blocks).toBeLessThan(16);
  });

  it('--block 1M given, the default size: it is kept, nothing grows', async ({ expect }) => {
    // 16 MiB of 16-byte records: sixteen blocks of 1 MiB, where growth would cut about seven.
    // Given means given: a size equal to the default chose growth here once.
    const input = Buffer.from(records(1, 1024 * 1024));
    const result = await fan(
      ['-j', '2', '--merge', 'ordered', '--block', '1M', '--verbose', '--stats', '-', '--', 'cat'],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    expect(result.stderr).not.toMatch(/blocks grow/);
    const stats = statsOf({ ...result, stderr: result.stderr.slice(result.stderr.indexOf('{')) });
    expect(stats.totals.blocks).toBeGreaterThanOrEqual(16);
  });

  it('workers that stay keep the default block: nothing grows', async ({ expect }) => {
    const input = Buffer.from(records(1, 100_000));
    const result = await fan(
      ['-j', '2', '--merge', 'ordered', '--one-to-one', '--verbose', '--', 'cat'],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    expect(result.stderr).not.toMatch(/blocks grow/);
  });
});
