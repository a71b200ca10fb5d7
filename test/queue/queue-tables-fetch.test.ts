import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startNats } from '../support/nats.js';
import { startWorker } from '../support/queue.js';
import {
  buildTablesOnce,
  joinArgs,
  objects,
  startCoordinator,
  tables,
} from '../support/queue-tables.js';
import { within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A table's fetch from the Object Store (orchestrator/queue/fetch.ts) is paced: chunks are pulled
// a few at a time, each written (awaited) before more are asked for, so the worker's process
// goes on meanwhile: writing with the event loop held, it would hear a signal only once the
// whole table was in, and, stopped mid-fetch, fetch on, then take blocks.

buildTablesOnce(['table']);

describe('worker --queue: fetching a table', () => {
  it('a worker stopped (SIGTERM) mid-fetch stops fetching: nothing left in its cache, no block taken, exit 143', async () => {
    const dir = tempDir();
    // The table with 16 MiB more: a fetch of 4 batches or more.
    const big = join(dir, 'big.mft');
    cpSync(tables.table, big, { recursive: true });
    writeFileSync(join(big, 'pad'), Buffer.alloc(16 * 1024 * 1024));
    const server = await startNats();
    await startCoordinator(server.url, 'stop', big);
    const cache = join(dir, 'cache');
    const files = join(cache, 'manifold', 'files');
    const worker = startWorker(server.url, ['--job', 'stop'], joinArgs, { XDG_CACHE_HOME: cache });
    // Its fetch has begun once the object's first chunk is written beside the cache.
    const fetching = () =>
      existsSync(files) && readdirSync(files).some((name) => /\.tmp-/.test(name));
    await within(
      (async () => {
        while (!fetching()) await delay(5);
      })(),
      20_000,
      () => `the worker began no fetch:\n${worker.stderr.text}`,
    );
    // Held still while the signal is sent: it finds it pending as it goes on, mid-fetch.
    worker.child.kill('SIGSTOP');
    worker.child.kill('SIGTERM');
    worker.child.kill('SIGCONT');
    expect(await worker.done()).toEqual({ exitCode: 143, stderr: '' });
    expect(readdirSync(files)).toEqual([]);
    const { jsm } = await objects(server.url);
    const consumer = await jsm.consumers.info('manifold-stop-blocks', 'workers');
    expect(consumer.delivered.consumer_seq).toBe(0);
  });
});
