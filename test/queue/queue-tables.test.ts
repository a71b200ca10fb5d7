import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { startNats } from '../support/nats.js';
import { coordinate, coordinateJoined } from '../support/queue.js';
import {
  buildTablesOnce,
  events,
  joinArgs,
  machine,
  objects,
  tables,
} from '../support/queue-tables.js';
import { tempDir } from '../support/temp.js';

// Tables for queue workers: `fan --queue --table` stores each table once in the server's Object
// Store (bucket manifold-tables, named by content hash); each worker machine (its own cache
// folder, by XDG_CACHE_HOME) fetches it on first use, and its command finds it by name.
// Faults, configs and the library: queue-tables-faults.test.ts.

buildTablesOnce(['table', 'sharded']);

describe('fan --queue --table', () => {
  it('workers run mf-join with the table: the output is the local fan’s; stored once, fetched once per machine', async () => {
    const { table } = tables;
    const dir = tempDir();
    const server = await startNats();
    const local = await run(
      manifold,
      ['fan', '-j', '1', '--protocol', 'manifold', '--block', '4K', '--merge', 'ordered'].concat([
        '--table',
        `users=${table}`,
        '--',
        ...joinArgs,
      ]),
      events,
    );
    expect(local.exitCode).toBe(0);
    expect(local.stdout.toString().split('\n').length).toBeGreaterThan(1000);
    const args = ['--block', '4K', '--merge', 'ordered', '--verbose', '--table', `users=${table}`];
    const cached = (cache: string) => readdirSync(join(cache, 'manifold', 'files'));

    // Machine a, and machine b with two workers (one cache folder) that fetch at the same time.
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    const first = [a, b, b].map((cache) => machine(server.url, 'one', cache));
    const one = await coordinateJoined(server.url, ['--job', 'one', ...args], events, first);
    expect(one.exitCode).toBe(0);
    expect(one.stdout.equals(local.stdout)).toBe(true);
    const stored =
      /^manifold: table users \(\d+\.\d KiB\): stored on the queue, object ([0-9a-f]{32})$/m;
    const hash = stored.exec(one.stderr)![1]!;
    const { bucket } = await objects(server.url);
    const info = await bucket.info(hash);
    expect(info).toMatchObject({ name: hash, deleted: false, description: 'manifold table users' });
    const ends = await Promise.all(first.map((worker) => worker.done()));
    expect(ends.map((end) => [end.exitCode, end.exitCode === 0 ? '' : end.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    const fetched = `) into ${join(a, 'manifold', 'files', hash, 'data')}\n`;
    expect(ends[0]!.stderr).toContain(`manifold: job "one": fetched table users (`);
    expect(ends[0]!.stderr).toContain(fetched);
    for (const end of ends.slice(1))
      expect(end.stderr).toMatch(/manifold: job "one": (fetched table users \(|table users is in)/);
    expect([cached(a), cached(b)]).toEqual([[hash], [hash]]);
    const files = (folder: string) => readdirSync(folder).filter((name) => !name.endsWith('-lock'));
    expect(files(join(b, 'manifold', 'files', hash, 'data')).sort()).toEqual(files(table).sort());

    // A second run uploads nothing, and machine a fetches nothing.
    const again = machine(server.url, 'two', a);
    const two = await coordinate(server.url, ['--job', 'two', ...args], events);
    expect(two.exitCode).toBe(0);
    expect(two.stdout.equals(local.stdout)).toBe(true);
    expect(two.stderr).toMatch(/^manifold: table users \(.*\): on the queue already, object /m);
    expect(two.stderr).not.toMatch(/stored on the queue/);
    expect(await bucket.info(hash)).toMatchObject({ revision: info!.revision, mtime: info!.mtime });
    const end = await again.done();
    expect(end.exitCode).toBe(0);
    expect(end.stderr).toContain(`manifold: job "two": table users is in the cache, ${a}/`);
    expect(end.stderr).not.toMatch(/fetched/);
  });

  it('usage: a sharded table, or a path that is no table, is one line and exit 2', async () => {
    const { sharded } = tables;
    const dir = tempDir();
    const refuse = (args: string[]) =>
      coordinate('nats://127.0.0.1:1', ['--table', ...args], events);
    const many = await refuse([`users=${sharded}`]);
    expect([many.exitCode, many.stderr]).toEqual([
      2,
      `manifold: table users (${sharded}) has 2 shards: a queue's workers take any block, so they need the whole table (build it without --shards) (see 'manifold fan --help')\n`,
    ]);
    const none = await refuse([`users=${join(dir, 'none')}`]);
    expect([none.exitCode, none.stderr]).toEqual([
      2,
      `manifold: table ${join(dir, 'none')}: no such table (nothing at that path) (see 'manifold fan --help')\n`,
    ]);
  });
});
