import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { fixture, manifold } from '../helpers.js';
import { fan, OK, ok, statsOf, untag } from '../support/fan-run.js';
import { joinLines, linesOf, numbered } from '../support/lines.js';
import { spawnManifold, waitForExit, watch } from '../support/spawn.js';
import { builtTable } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

// `manifold fan --threads` with filters that keep state, await, flush an aggregate or read a
// table, and threads as --stats and --tag show them. Real threads in a real manifold.

/** The lines `<prefix><n>` for n from `from` to `to`, without their newlines. */
const numberedLines = (from: number, to: number, prefix = '') =>
  linesOf(numbered(from, to, prefix));

describe('filters with state, promises and a flush', () => {
  it('an async transform: every result in its place', async () => {
    const input = numbered(1, 3000, 'a');
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--',
        fixture('upper-async.js'),
      ],
      input,
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe(input.toUpperCase());
  });

  it("flush: each thread's aggregate arrives once, after every block's output", async () => {
    const input = numbered(1, 10_000);
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--block',
        '2K',
        '--merge',
        'ordered',
        '--',
        fixture('thread-tally.js'),
      ],
      input,
    );
    expect(ok(result)).toEqual(OK);
    const lines = linesOf(result.stdout);
    expect(lines.slice(0, -2)).toEqual(numberedLines(1, 10_000));
    const tallies = lines.slice(-2).map((line) => /^tally (\d+)$/.exec(line)?.[1]);
    expect(tallies.every((n) => n !== undefined && Number(n) > 0)).toBe(true);
    expect(tallies.reduce((sum, n) => sum + Number(n), 0)).toBe(10_000);
  });

  it('a JSON aggregate per thread from flush alone (no output per record)', async () => {
    const values = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ n: i % 10 }));
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--split',
        'ndjson',
        '--block',
        '2K',
        '--',
        fixture('json-total.js'),
      ],
      joinLines(values),
    );
    expect(ok(result)).toEqual(OK);
    const totals = linesOf(result.stdout).map(
      (line) => JSON.parse(line) as { total: number; count: number },
    );
    expect(totals).toHaveLength(2);
    expect(totals.reduce((sum, t) => sum + t.count, 0)).toBe(4000);
    expect(totals.reduce((sum, t) => sum + t.total, 0)).toBe(4000 * 4.5);
  });
});

describe('threads as workers in --stats and --tag', () => {
  it('--stats: blocks and records per thread, each thread by its id, no pids', async () => {
    const result = await fan(
      ['-j', '2', '--threads', '--block', '1K', '--stats', '-', '--', 'mf-map', 'r'],
      numbered(1, 5000),
    );
    expect(result.exitCode).toBe(0);
    const stats = statsOf(result);
    expect(stats.totals.recordsIn).toBe(5000);
    expect(stats.totals.recordsOut).toBe(5000);
    for (const worker of stats.workers) {
      expect(worker.pids).toEqual([]);
      expect(worker.blocks).toBeGreaterThan(0);
      expect(worker.exits).toEqual([{ thread: expect.any(Number), exitCode: 0, signal: null }]);
    }
    expect(stats.workers.reduce((sum, w) => sum + w.recordsIn, 0)).toBe(5000);
  });

  it('--tag: each record after the number of the thread that wrote it', async () => {
    const result = await fan(
      ['-j', '2', '--threads', '--block', '1K', '--tag', '--', 'mf-map', 'r'],
      numbered(1, 3000),
    );
    expect(ok(result)).toEqual(OK);
    const out = linesOf(result.stdout).map(untag);
    expect(new Set(out.map((o) => o.worker))).toEqual(new Set([1, 2]));
    expect(out.map((o) => o.record).sort()).toEqual(numberedLines(1, 3000).sort());
  });
});

describe('--progress with threads', () => {
  it('draws the line on a terminal: records in and out, each thread with its backlog', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.txt'), numbered(1, 50_000));
    const command = `node ${manifold} fan -j 2 --threads --progress --input ${dir}/in.txt -- mf-map r > ${dir}/out.txt`;
    const tty = await execa('script', ['-qec', command, '/dev/null'], { reject: false });
    expect(tty.exitCode).toBe(0);
    expect(tty.stdout).toMatch(
      /in \S+ KiB 50000 rec \| out \S+ KiB 50000 rec \| .*\/s \| backlog 1:.* 2:.* \| ETA/,
    );
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe(numbered(1, 50_000));
  });
});

describe('tables shared by the threads', () => {
  it('each thread looks keys up; the process maps the table once for all of them', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 't', 'a\t1\nb\t2\nc\t3\n', ['--key', 'field:1']);
    const args = ['fan', '-j', '2', '--threads', '--block', '2', '--tag', '--table', `t=${table}`];
    const child = spawnManifold([...args, '--', fixture('table-lookup.js'), '--maps']);
    const stdout = watch(child.stdout!);
    child.stdin!.write('a\nb\nc\nzz\n'); // and stdin stays open: both threads are running
    await stdout.waitFor(/\tget:/, 4);
    const maps = readFileSync(`/proc/${child.pid}/maps`, 'utf8').match(/\/shard-0\.mdb$/gm);
    expect(maps).toEqual(['/shard-0.mdb']);
    child.stdin!.end();
    const exit = await waitForExit(child);
    expect(exit).toEqual({ exitCode: 0, signal: null });
    const lines = linesOf(stdout.text).map(untag);
    expect(lines.map((line) => line.record).sort()).toEqual([
      'a\tget:a\t1',
      'b\tget:b\t2',
      'c\tget:c\t3',
      'maps:1:shard-0.mdb',
      'maps:2:shard-0.mdb',
      'zz\tget:undefined',
    ]);
  });
});
