import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { runApiScript } from '../api/script.js';
import { bin, manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { startNats } from '../support/nats.js';
import { runConfig } from '../support/pipeline.js';
import { coordinate, startWorker } from '../support/queue.js';
import { spawnManifold, watch, within } from '../support/spawn.js';
import { builtTable } from '../support/tables.js';
import { fileTempDir, tempDir, writeConfig } from '../support/temp.js';

// Tables for queue workers: `fan --queue --table` stores each table once in the server's Object
// Store (bucket manifold-tables, named by content hash); each worker machine (its own cache
// folder, by XDG_CACHE_HOME) fetches it on first use, and its command finds it by name.

const mfJoin = bin('mf-join');
const users = Array.from({ length: 300 }, (_, i) => `u${i}\tname${i}\n`).join('');
const events = Array.from({ length: 3000 }, (_, i) => `u${(i * 7) % 400}\te${i}\n`).join('');
const joinArgs = [mfJoin, '--table', 'users', '--key', 'field:1'];

/** The server's Object Store, as a test looks at it (and spoils it). */
async function objects(url: string) {
  const nc = await connect({ servers: url });
  onCleanup(() => nc.close());
  const js = jetstream(nc);
  const bucket = await new Objm(js).open('manifold-tables');
  return { nc, js, jsm: await jetstreamManager(nc), bucket };
}

/** `fan --queue --verbose --table users=<table>` in the background, once it has started its job. */
async function startCoordinator(url: string, job: string, table: string) {
  const child = spawnManifold([
    'fan',
    '--queue',
    url,
    '--job',
    job,
    '--block',
    '4K',
    '--verbose',
    '--table',
    `users=${table}`,
  ]);
  child.stdin!.end(events);
  const stderr = watch(child.stderr!);
  await stderr.waitFor(new RegExp(`started job "${job}"`), 1);
  const hash = /object ([0-9a-f]{32})$/m.exec(stderr.text)![1]!;
  return { child, hash };
}

/** A machine: a worker with a cache folder of its own (or shared, given). */
const machine = (url: string, job: string, cache: string) =>
  startWorker(url, ['--job', job, '-j', '1', '--protocol', 'manifold', '--verbose'], joinArgs, {
    XDG_CACHE_HOME: cache,
  });

// Built once for the file: a table, one of other content, one of two shards.
let table = '';
let other = '';
let sharded = '';
beforeAll(async () => {
  const dir = fileTempDir();
  [table, other, sharded] = await Promise.all([
    builtTable(dir, 'users', users, ['--key', 'field:1']),
    builtTable(dir, 'other', `${users}u1000\tmore\n`, ['--key', 'field:1']),
    builtTable(dir, 'sharded', users, ['--key', 'field:1', '--shards', '2']),
  ]);
});

describe('fan --queue --table', () => {
  it('workers run mf-join with the table: the output is the local fan’s; stored once, fetched once per machine', async () => {
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
    const one = await coordinate(server.url, ['--job', 'one', ...args], events);
    expect(one.exitCode).toBe(0);
    expect(one.stdout.equals(local.stdout)).toBe(true);
    const stored =
      /^manifold: table users \(\d+\.\d KiB\): stored on the queue, object ([0-9a-f]{32})$/m;
    const hash = stored.exec(one.stderr)![1]!;
    const { bucket } = await objects(server.url);
    const info = await bucket.info(hash);
    expect(info).toMatchObject({ name: hash, deleted: false, description: 'manifold table users' });
    const ends = await Promise.all(first.map((worker) => worker.done()));
    expect(ends.map((end) => end.exitCode)).toEqual([0, 0, 0]);
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

  it('an object removed or spoiled: the worker says so in one line naming the table and the job, takes no block, exits 1; a job resumed with other tables is refused', async () => {
    const dir = tempDir();
    const server = await startNats();
    const { hash } = await startCoordinator(server.url, 'gone', table);
    const { js, jsm, bucket } = await objects(server.url);
    await bucket.delete(hash);
    // The blocks are on the queue before the worker comes: it takes none all the same.
    await within(
      (async () => {
        while ((await jsm.streams.info('manifold-gone-blocks')).state.messages === 0)
          await new Promise((resolve) => setTimeout(resolve, 20));
      })(),
      10_000,
      'the coordinator published no block',
    );
    const cache = join(dir, 'cache');
    const where = `(object ${hash} of bucket manifold-tables on ${server.url})`;
    const gone = startWorker(server.url, ['--job', 'gone'], joinArgs, { XDG_CACHE_HOME: cache });
    expect(await gone.done()).toEqual({
      exitCode: 1,
      stderr: `manifold: job "gone": cannot fetch table users ${where}: there is no such object (was it removed from the bucket?)\n`,
    });
    const consumer = await jsm.consumers.info('manifold-gone-blocks', 'workers');
    expect([consumer.delivered.consumer_seq, consumer.num_ack_pending]).toEqual([0, 0]);

    // Stored again by the next job's coordinator (it was removed); then its End frame's run id
    // is changed, which no frame checksum covers: the object's digest finds it.
    expect((await startCoordinator(server.url, 'spoiled', table)).hash).toBe(hash);
    const info = (await bucket.info(hash))!;
    const subject = `$O.manifold-tables.C.${info.nuid}`;
    const last = await jsm.streams.getMessage('OBJ_manifold-tables', { last_by_subj: subject });
    await jsm.streams.deleteMessage('OBJ_manifold-tables', last!.seq);
    const data = Buffer.from(last!.data);
    data[data.length - 32 + 8]! ^= 0xff;
    await js.publish(subject, data);
    const spoiled = startWorker(server.url, ['--job', 'spoiled'], joinArgs, {
      XDG_CACHE_HOME: cache,
    });
    expect(await spoiled.done()).toEqual({
      exitCode: 1,
      stderr: `manifold: job "spoiled": cannot fetch table users ${where}: received a corrupt object, digests do not match\n`,
    });
    // Nothing is left in the cache: no table, no half-written one.
    expect(readdirSync(join(cache, 'manifold', 'files'))).toEqual([]);

    // A job resumed with other tables: its answers would mix the two.
    const resumed = await coordinate(
      server.url,
      ['--job', 'gone', '--block', '4K', '--table', `users=${other}`],
      events,
    );
    expect([resumed.exitCode, resumed.stderr]).toEqual([
      2,
      'manifold: job "gone" on the queue was started with other content in table users: resume it with the same tables, or give another --job\n',
    ]);
  });

  it('a config’s tables reach a queue stage’s workers; the library’s table option with queue too', async () => {
    const dir = tempDir();
    const server = await startNats();
    const workers = ['cfg', 'lib'].map((job) => machine(server.url, job, join(dir, job)));
    const config = writeConfig(dir, {
      tables: { users: table },
      stages: [{ fan: { queue: server.url, job: 'cfg', merge: 'ordered', block: '4K' } }],
    });
    const input = 'u7\tx\nu500\ty\nu299\tz\n';
    const joined = 'u7\tx\tu7\tname7\nu299\tz\tu299\tname299\n';
    const result = await runConfig(config, input);
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([0, '', joined]);
    // The library, as a program of its own uses it (the built package).
    const script = await runApiScript(`
      const { Readable } = await import('node:stream');
      await fan(
        { queue: ${JSON.stringify(server.url)}, job: 'lib', table: [${JSON.stringify(`users=${table}`)}] },
        { input: Readable.from([${JSON.stringify(input)}]), output: process.stdout },
      );`);
    expect(script).toEqual({ exitCode: 0, stdout: joined.trimEnd(), stderr: '' });
    for (const worker of workers) expect((await worker.done()).exitCode).toBe(0);
  });

  it('usage: a sharded table, or a path that is no table, is one line and exit 2', async () => {
    const dir = tempDir();
    const refuse = (args: string[]) =>
      coordinate('nats://127.0.0.1:1', ['--table', ...args], events);
    const many = await refuse([`users=${sharded}`]);
    expect([many.exitCode, many.stderr]).toEqual([
      2,
      `manifold: table users (${sharded}) has 2 shards: a queue's workers take any block, so they need the whole table (build it without --shards)\n`,
    ]);
    const none = await refuse([`users=${join(dir, 'none')}`]);
    expect([none.exitCode, none.stderr]).toEqual([
      2,
      `manifold: table ${join(dir, 'none')}: no such table (nothing at that path)\n`,
    ]);
  });
});
