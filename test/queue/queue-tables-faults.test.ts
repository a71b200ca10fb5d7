import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runApiScript } from '../api/script.js';
import { startNats } from '../support/nats.js';
import { runConfig } from '../support/pipeline.js';
import { coordinate, startWorker } from '../support/queue.js';
import {
  buildTablesOnce,
  events,
  joinArgs,
  machine,
  objects,
  startCoordinator,
  tables,
} from '../support/queue-tables.js';
import { within } from '../support/spawn.js';
import { tempDir, writeConfig } from '../support/temp.js';

// Tables for queue workers, continued (queue-tables.test.ts): an object removed or spoiled, a
// resume with other tables, and tables given by a config or the library.

buildTablesOnce(['table', 'other']);

describe('fan --queue --table: faults, configs and the library', () => {
  it('an object removed or spoiled: the worker says so in one line naming the table and the job, takes no block, exits 1; a job resumed with other tables is refused', async () => {
    const { table, other } = tables;
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
    const { table } = tables;
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
});
