import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { beforeAll } from 'vitest';
import { bin } from '../helpers.js';
import { onCleanup } from './cleanup.js';
import { startWorker } from './queue.js';
import { spawnManifold, watch } from './spawn.js';
import { builtTable } from './tables.js';
import { fileTempDir } from './temp.js';

// Tables for queue workers (test/queue/queue-tables*.test.ts): the data, the tables built once
// per file, and the two sides as real processes; the Object Store as a test looks at it.

export const mfJoin = bin('mf-join');
export const users = Array.from({ length: 300 }, (_, i) => `u${i}\tname${i}\n`).join('');
export const events = Array.from({ length: 3000 }, (_, i) => `u${(i * 7) % 400}\te${i}\n`).join('');
export const joinArgs = [mfJoin, '--table', 'users', '--key', 'field:1'];

/** The server's Object Store, as a test looks at it (and spoils it). */
export async function objects(url: string) {
  const nc = await connect({ servers: url });
  onCleanup(() => nc.close());
  const js = jetstream(nc);
  const bucket = await new Objm(js).open('manifold-tables');
  return { nc, js, jsm: await jetstreamManager(nc), bucket };
}

/** `fan --queue --verbose --table users=<table>` in the background, once it has started its job. */
export async function startCoordinator(url: string, job: string, table: string) {
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
export const machine = (url: string, job: string, cache: string) =>
  startWorker(url, ['--job', job, '-j', '1', '--protocol', 'manifold', '--verbose'], joinArgs, {
    XDG_CACHE_HOME: cache,
  });

/** The file's tables, built before its tests: one, one of other content, one of two shards. */
export const tables = { table: '', other: '', sharded: '' };
const BUILDS = {
  table: ['users', users, ['--key', 'field:1']],
  other: ['other', `${users}u1000\tmore\n`, ['--key', 'field:1']],
  sharded: ['sharded', users, ['--key', 'field:1', '--shards', '2']],
} as const;

/** Builds the tables a file uses (`which`), at once, before its first test. */
export function buildTablesOnce(which: (keyof typeof tables)[]): void {
  beforeAll(async () => {
    const dir = fileTempDir();
    await Promise.all(
      which.map(async (name) => {
        const [file, content, args] = BUILDS[name];
        tables[name] = await builtTable(dir, file, content, [...args]);
      }),
    );
  });
}
