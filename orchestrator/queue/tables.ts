import { existsSync } from 'node:fs';
import type { ObjectStore } from '@nats-io/obj';
import { describeError, formatSize } from '../../filters/index.js';
import { tableEnvName } from '../../filters/tables/env.js';
import { cacheFolder, itemPath } from '../remote/cache.js';
import { CacheWriter } from '../remote/cache-writer.js';
import { FrameError, FrameKind, FrameReader } from '../workers/frame/index.js';
import { type QueueConnection, QueueError } from '../workers/queue/connect.js';
import { type JobSpec, readSpec } from '../workers/queue/job.js';
import type { JobNames } from '../workers/queue/names.js';
import { TABLES_BUCKET, tablesBucket } from '../workers/queue/tables.js';
import type { ItemMessage } from '../workers/shipment.js';

/**
 * The environment that names a job's tables to this worker's command (`MANIFOLD_TABLE_<NAME>`),
 * at their place in this machine's cache (remote/cache.ts, shared with SSH shipping): a table
 * not there yet is fetched from the queue's Object Store first, once per machine. A table that
 * cannot be fetched is one line naming it and the job (exit 1), before any block is taken.
 * Null when the job ended while its tables were fetched: there is nothing left to serve.
 */
export async function fetchTables(
  conn: QueueConnection,
  spec: JobSpec,
  names: JobNames,
  log: (line: string) => void,
): Promise<Record<string, string> | null> {
  const { job } = names;
  const env: Record<string, string> = {};
  const root = cacheFolder();
  let bucket: ObjectStore | null = null;
  for (const [name, hash] of Object.entries(spec.tables ?? {})) {
    const path = itemPath(root, hash);
    env[tableEnvName(name)] = path;
    if (existsSync(path)) {
      log(`job "${job}": table ${name} is in the cache, ${path}`);
      continue;
    }
    try {
      bucket ??= await tablesBucket(conn, false);
      const bytes = await fetchItem(bucket, hash, root);
      log(`job "${job}": fetched table ${name} (${formatSize(bytes)}) into ${path}`);
    } catch (error) {
      // The client's errors are plain Errors, some of several lines (a digest's): the first says it.
      const reason = (error instanceof Error ? error.message : describeError(error)).split('\n')[0];
      throw new QueueError(
        `job "${job}": cannot fetch table ${name} (object ${hash} of bucket ${TABLES_BUCKET} on ${conn.url}): ${reason}`,
        error,
      );
    }
  }
  if (bucket === null) return env;
  // A fetch may take minutes, and the job may have finished meanwhile.
  const now = await readSpec(conn, names);
  return now?.run === spec.run ? env : null;
}

/**
 * Reads object `hash` (packItem's frames) into the cache at `root`, written beside its place and
 * renamed in whole once the object's digest and every frame's checksum have been checked.
 * Resolves to the bytes of its files.
 */
async function fetchItem(bucket: ObjectStore, hash: string, root: string): Promise<number> {
  const result = await bucket.get(hash);
  if (result === null) throw new Error('there is no such object (was it removed from the bucket?)');
  let writer: CacheWriter | null = null;
  let item: ItemMessage | null = null;
  let ended = false;
  const reader = new FrameReader((frame) => {
    if (ended) throw new FrameError('the object goes on past its End frame');
    if (frame.kind === FrameKind.Hello) {
      item = JSON.parse(frame.payload.toString('utf8')) as ItemMessage;
      if (item.hash !== hash) throw new FrameError(`the object holds item ${item.hash}`);
      writer = new CacheWriter(root, [item]);
    } else if (frame.kind === FrameKind.Block) {
      if (writer === null) throw new FrameError('a Block frame before the Hello');
      // Another process of this machine fetched it meanwhile: nothing to write.
      if (writer.missing.length > 0) writer.write(0, frame.seq, frame.payload);
    } else if (frame.kind === FrameKind.End) ended = true;
  });
  try {
    for await (const chunk of result.data)
      reader.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const error = await result.error;
    if (error) throw error;
    if (!ended || writer === null) throw new FrameError('the object ends before its End frame');
    (writer as CacheWriter).finish();
  } catch (error) {
    (writer as CacheWriter | null)?.abandon();
    throw error;
  }
  return (item as ItemMessage | null)?.bytes ?? 0;
}
