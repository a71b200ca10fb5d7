import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { ObjectStore } from '@nats-io/obj';
import { describeError, formatSize } from '../../filters/index.js';
import { tableEnvName } from '../../filters/tables/env.js';
import { cacheFolder, itemPath } from '../remote/cache.js';
import { type QueueConnection, QueueError } from '../workers/queue/connect.js';
import { type JobSpec, readSpec } from '../workers/queue/job.js';
import type { JobNames } from '../workers/queue/names.js';
import { publishNotice, type WorkerNotice } from '../workers/queue/notice.js';
import { TABLES_BUCKET, tablesBucket } from '../workers/queue/tables.js';
import { fetchItem, ObjectFault } from './fetch.js';

/**
 * The environment that names a job's tables to this worker's command (`MANIFOLD_TABLE_<NAME>`),
 * at their place in this machine's cache (remote/cache.ts, shared with SSH shipping): a table
 * not there yet is fetched from the queue's Object Store first, once per machine. A table that
 * cannot be fetched is one line naming it and the job (exit 1), before any block is taken, and a
 * notice to the coordinator (notice.ts). Null when the job ended while its tables were fetched,
 * or `signal` stopped the fetch: there is nothing left to serve.
 */
export async function fetchTables(
  conn: QueueConnection,
  spec: JobSpec,
  names: JobNames,
  log: (line: string) => void,
  signal?: AbortSignal,
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
      bucket ??= await tablesBucket(conn, false).catch((error: unknown) => {
        // The server's answer, no bucket (removed whole): no object either.
        if (!(error instanceof JetStreamApiError)) throw error;
        throw new ObjectFault(`there is no bucket ${TABLES_BUCKET} (${error.message})`);
      });
      const bytes = await fetchItem(conn.js, bucket, hash, root, signal);
      if (bytes === null) return null;
      log(`job "${job}": fetched table ${name} (${formatSize(bytes)}) into ${path}`);
    } catch (error) {
      // The client's errors are plain Errors, some of several lines: the first says it.
      const reason = (error instanceof Error ? error.message : describeError(error)).split(
        '\n',
      )[0]!;
      const fault: WorkerNotice['fault'] = error instanceof ObjectFault ? 'object' : 'machine';
      const notice = {
        host: hostname(),
        pid: process.pid,
        table: name,
        object: hash,
        reason,
        fault,
      };
      if (!(await publishNotice(conn, names, spec.run, notice)))
        log(`job "${job}": the coordinator could not be told that table ${name} cannot be fetched`);
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
