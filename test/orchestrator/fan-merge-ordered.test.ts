import type { Options } from 'execa';
import { describe, it } from 'vitest';
import { bin, run } from '../helpers.js';
import { variedLines } from '../support/data.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { fan, OK, ok, statsOf } from '../support/fan-run.js';
import { lineBytes } from '../support/lines.js';

// `manifold fan --merge ordered` end to end, with each way of tying output to blocks (a process
// per block, one-to-one, the block protocol): the input, or one worker run alone, byte for byte.

/** `manifold fan -j 3 --block <block> --merge ordered <args>`. */
const ordered = (block: string, args: string[], input: Buffer, options: Options = {}) =>
  fan(['-j', '3', '--block', block, '--merge', 'ordered', ...args], input, options);

describe.concurrent('manifold fan --merge ordered', () => {
  const small = lineBytes(variedLines(4_000, 2));
  const large = lineBytes(variedLines(25_000, 3));

  it('--per-block gives the input back byte for byte, one process per block', async ({
    expect,
  }) => {
    const result = await ordered('4K', ['--per-block', '--stats', '-', '--', 'cat'], small);
    expect(byteDiff(result.stdout, small)).toEqual(sameBytes(small));
    const stats = statsOf(result);
    expect(stats.status).toBe(0);
    expect(stats.totals.blocks).toBeGreaterThan(30);
    for (const worker of stats.workers) expect(worker.pids.length).toBe(worker.blocks);
    expect(stats.workers.reduce((sum, w) => sum + w.pids.length, 0)).toBe(stats.totals.blocks);
  });

  it('without a way named, runs a process per block and gives the input back exactly', async ({
    expect,
  }) => {
    const result = await ordered('4K', ['--stats', '-', '--', 'cat'], small);
    expect(byteDiff(result.stdout, small)).toEqual(sameBytes(small));
    const stats = statsOf(result);
    expect(stats.status).toBe(0);
    expect(stats.workers.reduce((sum, w) => sum + w.pids.length, 0)).toBe(stats.totals.blocks);
  });

  it('--one-to-one with cat: byte for byte, one persistent process per worker', async ({
    expect,
  }) => {
    const result = await ordered('8K', ['--one-to-one', '--stats', '-', '--', 'cat'], large);
    expect(byteDiff(result.stdout, large)).toEqual(sameBytes(large));
    const stats = statsOf(result);
    expect(stats.status).toBe(0);
    expect(stats.totals.blocks).toBeGreaterThan(100);
    for (const worker of stats.workers) {
      expect(worker.pids.length).toBe(1);
      expect(worker.exits).toEqual([{ pid: worker.pids[0], exitCode: 0, signal: null }]);
    }
  });

  it('--one-to-one with awk toupper equals awk run alone', async ({ expect }) => {
    const ascii = lineBytes(variedLines(25_000, 4).map((line) => line.replace(/[^ -~]/g, 'q')));
    const awk = ['awk', '{print toupper($0)}'];
    const alone = await run(awk[0]!, awk.slice(1), ascii);
    const result = await ordered('16K', ['--one-to-one', '--', ...awk], ascii);
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
  });

  it('--one-to-one with awk does not hang when blocks are small', async ({ expect }) => {
    // awk holds its output in a buffer while it can read more: all blocks in the reorder window
    // together may be smaller than that buffer.
    const ascii = lineBytes(Array.from({ length: 20_000 }, (_, i) => `line ${i}`));
    const result = await ordered('1K', ['--one-to-one', '--', 'awk', '{print}'], ascii, {
      timeout: 8_000,
    });
    expect({ ...ok(result), signal: result.signal }).toEqual({ ...OK, signal: undefined });
    expect(byteDiff(result.stdout, ascii)).toEqual(sameBytes(ascii));
  });

  it('--protocol manifold with mf-map equals mf-map run alone, one process per worker', async ({
    expect,
  }) => {
    const alone = await run(bin('mf-map'), ['r.toUpperCase()'], large);
    expect(alone.exitCode).toBe(0);
    const result = await ordered(
      '16K',
      ['--protocol', 'manifold', '--stats', '-', '--', bin('mf-map'), 'r.toUpperCase()'],
      large,
    );
    expect(byteDiff(result.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
    const stats = statsOf(result);
    expect(stats.status).toBe(0);
    expect(stats.totals.blocks).toBeGreaterThan(50);
    for (const worker of stats.workers) {
      expect(worker.pids.length).toBe(1);
      expect(worker.exits.map((exit) => exit.exitCode)).toEqual([0]);
    }
  });

  it('--protocol manifold with mf-filter equals mf-filter run alone', async ({ expect }) => {
    const expression = 'r.includes("7") || r === ""';
    const alone = await run(bin('mf-filter'), [expression], large);
    expect(alone.stdout.length).toBeGreaterThan(10_000);
    const result = await fan(
      [
        '--workers',
        '3',
        '--block',
        '8K',
        '--merge',
        'ordered',
        '--protocol',
        'manifold',
        '--',
        bin('mf-filter'),
        expression,
      ],
      large,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
  });
});
