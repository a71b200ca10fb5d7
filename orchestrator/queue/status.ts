import { JetStreamApiError } from '@nats-io/jetstream';
import { askQueue, type QueueConnection } from '../workers/queue/connect.js';
import { deleteJob, readSpec } from '../workers/queue/job.js';
import { type JobNames, jobNames, jobOfStream, WORKERS_CONSUMER } from '../workers/queue/names.js';
import { subjectCounts } from '../workers/queue/stored.js';

/**
 * Where a job's blocks are, as `manifold queue status` shows them. A count is null when the part
 * of the job that holds it was never made (a half-made job: `made` false).
 */
export interface JobStatus {
  job: string;
  /**
   * Whether its coordinator finished making it: both streams, the workers' consumer, its
   * description. False when it stopped (killed, its server gone) in between: workers wait for
   * it, a coordinator run again makes the rest, `queue rm` removes it.
   */
  made: boolean;
  /** Blocks the coordinator has published (a duplicate publish is not counted). */
  published: number | null;
  /** Published and not yet given to a worker. */
  pending: number | null;
  /** Given to a worker and not yet acknowledged. */
  inFlight: number | null;
  /** In flight or pending again after their ack wait ran out (a worker lost, or slow). */
  redelivered: number | null;
  /** Blocks whose output is stored. */
  done: number | null;
  /** Blocks that failed on their last try. */
  failed: number | null;
}

/** The jobs on the server, by name. */
export async function listJobs(conn: QueueConnection): Promise<string[]> {
  const jobs = new Set<string>();
  for await (const stream of conn.jsm.streams.names()) {
    const job = jobOfStream(stream);
    if (job !== null) jobs.add(job);
  }
  return [...jobs].sort();
}

/**
 * Removes a job (its streams, as its coordinator does once it has finished it); false when the
 * server has no stream of it. Its workers take the job's going as its end.
 */
export async function removeJob(conn: QueueConnection, job: string): Promise<boolean> {
  const names = jobNames(job);
  let found = false;
  for (const stream of [names.resultsStream, names.blocksStream]) {
    try {
      await askQueue(conn, `the stream ${stream}`, () => conn.jsm.streams.info(stream));
      found = true;
    } catch (error) {
      if (!(error instanceof JetStreamApiError)) throw error;
    }
  }
  if (found) await deleteJob(conn, names);
  return found;
}

/**
 * A job's counts, or null when there is no such job. A job its coordinator stopped making (one
 * stream made, not the other; no consumer; no description) is listed too, half made, with the
 * counts it has: left out, `--job` would say there was no such job, though workers wait on it
 * and `queue rm` finds it.
 */
export async function jobStatus(conn: QueueConnection, job: string): Promise<JobStatus | null> {
  const names = jobNames(job);
  const blocks = await unlessMissing(() =>
    askQueue(conn, `the blocks stream of job "${job}"`, () =>
      conn.jsm.streams.info(names.blocksStream),
    ),
  );
  const consumer =
    blocks &&
    (await unlessMissing(() =>
      askQueue(conn, `the workers' consumer of job "${job}"`, () =>
        conn.jsm.consumers.info(names.blocksStream, WORKERS_CONSUMER),
      ),
    ));
  const results = await unlessMissing(() => resultCounts(conn, names));
  if (blocks === null && results === null) return null;
  const spec = results && (await readSpec(conn, names));
  return {
    job,
    made: consumer !== null && spec !== null,
    published: blocks?.state.last_seq ?? null,
    pending: consumer?.num_pending ?? null,
    inFlight: consumer?.num_ack_pending ?? null,
    redelivered: consumer?.num_redelivered ?? null,
    done: results?.done ?? null,
    failed: results?.failed ?? null,
  };
}

/** What `ask` gives, or null when the server has no such stream or consumer. */
async function unlessMissing<T>(ask: () => Promise<T>): Promise<T | null> {
  try {
    return await ask();
  } catch (error) {
    if (error instanceof JetStreamApiError) return null;
    throw error;
  }
}

async function resultCounts(
  conn: QueueConnection,
  names: JobNames,
): Promise<{ done: number; failed: number }> {
  const subjects = await subjectCounts(
    conn,
    `the results stream of job "${names.job}"`,
    names.resultsStream,
  );
  return { done: subjects[names.doneSubject] ?? 0, failed: subjects[names.failedSubject] ?? 0 };
}

const COLUMNS: [Exclude<keyof JobStatus, 'made'>, string][] = [
  ['job', 'job'],
  ['published', 'published'],
  ['pending', 'pending'],
  ['inFlight', 'in flight'],
  ['redelivered', 'redelivered'],
  ['done', 'done'],
  ['failed', 'failed'],
];

/** The jobs as a table with a header line, columns aligned. */
export function formatStatus(jobs: readonly JobStatus[]): string {
  const rows = [
    COLUMNS.map(([, title]) => title),
    ...jobs.map((job) => COLUMNS.map(([key]) => String(job[key] ?? '-'))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
  );
  return `${lines.join('\n')}\n`;
}
