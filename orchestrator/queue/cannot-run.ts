import { hostname } from 'node:os';
import { connectQueue } from '../workers/queue/connect.js';
import { readSpec } from '../workers/queue/job.js';
import type { JobNames } from '../workers/queue/names.js';
import { describeNotice, publishNotice, type WorkerNotice } from '../workers/queue/notice.js';

/**
 * A queue worker whose command cannot be run (not found, not executable): the one line it says
 * before it exits 127, naming the job, itself and its machine; and, its job being on the queue
 * already, the same told to that job's coordinator (notice.ts), which says it and goes on with
 * the other workers. A worker started before its job tells nobody: there is no one to tell yet,
 * and waiting for a job only to say it cannot serve it would leave its own operator waiting.
 */
export async function cannotRun(
  url: string,
  names: JobNames,
  command: string,
  reason: string,
): Promise<string> {
  const notice: WorkerNotice = {
    host: hostname(),
    pid: process.pid,
    command,
    reason,
    fault: 'machine',
  };
  await tellCoordinator(url, names, notice);
  const { worker, reason: why } = describeNotice(notice);
  return `job "${names.job}": ${worker} ${why}`;
}

/** Publishes `notice` to the job's coordinator if the job is there; any failure is let go. */
async function tellCoordinator(url: string, names: JobNames, notice: WorkerNotice): Promise<void> {
  const conn = await connectQueue(url).catch(() => null);
  if (conn === null) return;
  try {
    const spec = await readSpec(conn, names);
    if (spec !== null) await publishNotice(conn, names, spec.run, notice);
  } catch {
    // The line on the worker's stderr is what counts; the server's trouble is not said over it.
  } finally {
    await conn.close();
  }
}
