import { hostname } from 'node:os';
import type { QueueConnection } from '../workers/queue/connect.js';
import type { JobNames } from '../workers/queue/names.js';
import { describeNotice, publishNotice, type WorkerNotice } from '../workers/queue/notice.js';
import { waitForJob } from './pull.js';

/**
 * A queue worker whose command cannot be run (not found, not executable): its notice, and the
 * one line it says at once, naming the job, itself and its machine, before it tells its job's
 * coordinator (tellCoordinator) and exits 127.
 */
export function cannotRun(
  names: JobNames,
  command: string,
  reason: string,
): { notice: WorkerNotice; line: string } {
  const notice: WorkerNotice = {
    host: hostname(),
    pid: process.pid,
    command,
    reason,
    fault: 'machine',
  };
  const { worker, reason: why } = describeNotice(notice);
  return { notice, line: `job "${names.job}": ${worker} ${why}` };
}

/**
 * Tells the job's coordinator (notice.ts), which says the worker's line and goes on with the
 * other workers. A job not there yet is waited for, as a worker that can serve it waits: its
 * coordinator is the one who needs to hear that this machine will not help (a worker started
 * before its job that told nobody would leave the job's user waiting on a worker gone).
 * Returns once told, at `signal`, or when the job came and went while it waited; a
 * notice the server does not take is let go: the worker's own line has been said.
 */
export async function tellCoordinator(
  options: {
    conn: QueueConnection;
    names: JobNames;
    log: (line: string) => void;
    signal: AbortSignal;
  },
  notice: WorkerNotice,
): Promise<void> {
  const spec = await waitForJob(options);
  if (spec !== null) await publishNotice(options.conn, options.names, spec.run, notice);
}
