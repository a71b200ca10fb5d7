import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
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
  joined,
  machine,
  objects,
  startCoordinator,
  tables,
} from '../support/queue-tables.js';
import { waitForExit, within } from '../support/spawn.js';
import { tempDir, writeConfig } from '../support/temp.js';

// Tables for queue workers, continued (queue-tables.test.ts): an object removed or spoiled, a
// resume with other tables, and tables given by a config or the library.

buildTablesOnce(['table', 'other']);

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('fan --queue --table: faults, configs and the library', () => {
  it('an object removed or spoiled: the worker says so in one line naming the table and the job, takes no block, exits 1, and tells the coordinator, which fails in one line with nothing written; a job resumed with other tables is refused', async () => {
    const { table, other } = tables;
    const dir = tempDir();
    const server = await startNats();
    const output = join(dir, 'out');
    const coordinator = await startCoordinator(server.url, 'gone', table, ['--output', output]);
    const { hash } = coordinator;
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
    const { js, jsm, bucket } = await objects(server.url);
    await bucket.delete(hash);
    // The blocks are on the queue before the worker comes: it takes none all the same (the
    // coordinator, told, fails every block it gave in one line).
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
    // Every worker would fail alike: the coordinator fails the run in one line naming the
    // worker, the table and why, and writes no output.
    const end = await within(waitForExit(coordinator.child), 10_000, 'the coordinator went on');
    expect(end.exitCode).toBe(1);
    const said = coordinator.stderr.text.split('\n').filter((line) => /cannot fetch/.test(line));
    const why = `cannot fetch table users (object ${hash}): there is no such object (was it removed from the bucket?)`;
    expect(said).toEqual([
      expect.stringMatching(
        new RegExp(
          `^manifold: job "gone": queue worker on ${hostname()} \\(pid ${gone.child.pid}\\) ${literal(why)} on block 1 \\(records 1-\\d+\\)$`,
        ),
      ),
    ]);
    expect(readdirSync(dir).filter((name) => name.startsWith('out'))).toEqual([]);

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
  });

  it('a worker whose cache cannot be written tells the coordinator, which says so once and goes on with a worker that can: the output is complete', async () => {
    const { table } = tables;
    const dir = tempDir();
    const server = await startNats();
    const output = join(dir, 'out');
    const args = ['--job', 'mine', '--block', '4K', '--merge', 'ordered', '--output', output];
    const coordinator = coordinate(server.url, [...args, '--table', `users=${table}`], events);
    // Its cache is under a file: no folder can be made there, whoever the worker runs as.
    writeFileSync(join(dir, 'file'), '');
    const bad = startWorker(server.url, ['--job', 'mine'], joinArgs, {
      XDG_CACHE_HOME: join(dir, 'file', 'cache'),
    });
    const badEnd = await bad.done();
    expect(badEnd.exitCode).toBe(1);
    const why =
      /^manifold: job "mine": cannot fetch table users \(object ([0-9a-f]{32}) .*\): (ENOTDIR: .*)\n$/;
    const [, hash, reason] = why.exec(badEnd.stderr)!;
    // It told the coordinator before it exited: the one that can comes after.
    const good = machine(server.url, 'mine', join(dir, 'good'));
    const result = await coordinator;
    expect([result.exitCode, result.stderr]).toEqual([
      0,
      `manifold: job "mine": queue worker on ${hostname()} (pid ${bad.child.pid}) cannot fetch table users (object ${hash}): ${reason}; the job goes on with the other workers\n`,
    ]);
    expect(readFileSync(output, 'utf8')).toBe(joined);
    expect((await good.done()).exitCode).toBe(0);
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
