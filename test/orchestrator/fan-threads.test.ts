import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bin, fixture } from '../helpers.js';
import { randoms, shuffled, variedLines } from '../support/data.js';
import { fan, OK, ok, statsOf, untag } from '../support/fan-run.js';
import { encode, framingOf } from '../support/framing.js';
import { joinLines, linesOf, numbered, sortedLines } from '../support/lines.js';
import { spawnManifold, waitForExit, watch } from '../support/spawn.js';
import { builtTable } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

// `manifold fan --threads`: SDK filters run as threads of manifold, blocks transferred to them
// and their output back, each block's output tied to it. Real threads in a real manifold.

const words = (count: number, seed: number) => joinLines(variedLines(count, seed));
/** The lines `<prefix><n>` for n from `from` to `to`, without their newlines. */
const numberedLines = (from: number, to: number, prefix = '') =>
  linesOf(numbered(from, to, prefix));

describe('threads run the same filter module as a process, byte for byte', () => {
  const input = words(20_000, 14);

  it('mf-map by name: the same bytes as one mf-map process, and as process workers', async () => {
    const alone = await fan(
      ['-j', '1', '--per-block', '--block', '1G', '--', bin('mf-map'), 'r.toUpperCase()'],
      input,
    );
    const threads = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--block',
        '16K',
        '--merge',
        'ordered',
        '--',
        'mf-map',
        'r.toUpperCase()',
      ],
      input,
    );
    const processes = await fan(
      [
        '-j',
        '2',
        '--protocol',
        'manifold',
        '--block',
        '16K',
        '--merge',
        'ordered',
        '--',
        bin('mf-map'),
        'r.toUpperCase()',
      ],
      input,
    );
    expect([ok(alone), ok(threads), ok(processes)]).toEqual([OK, OK, OK]);
    expect(alone.stdout.toString()).toBe(input.toUpperCase());
    expect(threads.stdout.equals(alone.stdout)).toBe(true);
    expect(threads.stdout.equals(processes.stdout)).toBe(true);
  });

  it('a module given as a path, or as node <module>, runs in threads alike', async () => {
    const byPath = await fan(
      ['-j', '2', '--threads', '--block', '1K', '--merge', 'ordered', '--', fixture('expand.js')],
      input,
    );
    const byNode = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--',
        'node',
        fixture('expand.js'),
      ],
      input,
    );
    expect([ok(byPath), ok(byNode)]).toEqual([OK, OK]);
    const expected = linesOf(input).flatMap((line) =>
      line === 'drop' ? [] : [line, line, String(line.length)],
    );
    expect(linesOf(byPath.stdout)).toEqual(expected);
    expect(byNode.stdout.equals(byPath.stdout)).toBe(true);
  });
});

describe('every framing through threads', () => {
  const pick = randoms(7);
  const records = Array.from({ length: 3000 }, (_, i) =>
    Buffer.from(`r${i}-${'x'.repeat(pick(20))}`, 'latin1'),
  );

  it.each(['lines', 'nul', 'delim:;;', 'frames'])(
    '%s: the identity filter gives back every record, in order, from small blocks',
    async (name) => {
      const input = encode(framingOf(name), records);
      const result = await fan(
        [
          '-j',
          '2',
          '--threads',
          '--split',
          name,
          '--block',
          '512',
          '--merge',
          'ordered',
          '--',
          fixture('identity.js'),
        ],
        input,
      );
      expect(ok(result)).toEqual(OK);
      expect(result.stdout.equals(input)).toBe(true);
    },
  );

  it('fixed:8: records of eight bytes, the last one short', async () => {
    const input = Buffer.from(`${'0123456789abcdef'.repeat(500)}tail`);
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--split',
        'fixed:8',
        '--block',
        '100',
        '--merge',
        'ordered',
        '--',
        fixture('identity.js'),
      ],
      input,
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.equals(input)).toBe(true);
  });

  it('ndjson: values in, values out, blank lines kept out', async () => {
    const values = Array.from({ length: 2000 }, (_, n) => JSON.stringify({ n, tag: `t${n % 7}` }));
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--split',
        'ndjson',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--',
        'mf-map',
        '--json',
        '({...r, m: r.n * 2})',
      ],
      joinLines(values),
    );
    expect(ok(result)).toEqual(OK);
    const out = linesOf(result.stdout).map((line) => JSON.parse(line) as { n: number; m: number });
    expect(out.map((v) => v.n)).toEqual(values.map((_, n) => n));
    expect(out.every((v) => v.m === v.n * 2)).toBe(true);
  });
});

describe('merges and dispatch with threads', () => {
  const input = numbered(1, 20_000, 'line ');

  it('ready: every record once, in any order', async () => {
    const result = await fan(
      ['-j', '3', '--threads', '--block', '2K', '--', 'mf-map', 'r + "!"'],
      input,
    );
    expect(ok(result)).toEqual(OK);
    const expected = numberedLines(1, 20_000, 'line ').map((line) => `${line}!`);
    expect(sortedLines(result.stdout)).toEqual(sortedLines(joinLines(expected)));
  });

  it('sorted: each thread sorts its share at the end, the merge interleaves them', async () => {
    const lines = shuffled(numberedLines(1, 5000, 'k'), 3);
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--block',
        '4K',
        '--merge',
        'sorted',
        '--',
        fixture('sort-flush.js'),
      ],
      joinLines(lines),
      { env: { LC_ALL: 'C' } },
    );
    expect(ok(result)).toEqual(OK);
    expect(linesOf(result.stdout)).toEqual([...lines].sort());
  });

  it('hash dispatch: every copy of a key reaches the same thread, whose state drops repeats', async () => {
    const keys = Array.from({ length: 6000 }, (_, i) => `key${i % 500} value`);
    const result = await fan(
      [
        '-j',
        '3',
        '--threads',
        '--dispatch',
        'hash',
        '--key',
        'field:1',
        '--block',
        '1K',
        '--tag',
        '--',
        fixture('thread-dedupe.js'),
      ],
      joinLines(keys),
    );
    expect(ok(result)).toEqual(OK);
    const out = linesOf(result.stdout).map(untag);
    // Each key once: had two threads seen a key, both would have kept it.
    expect(out.map((o) => o.record).sort()).toEqual([...new Set(keys)].sort());
    expect(new Set(out.map((o) => o.worker))).toEqual(new Set([1, 2, 3]));
  });
});

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
