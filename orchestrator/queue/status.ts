import { JetStreamApiError } from '@nats-io/jetstream';
import { askQueue, type QueueConnection } from '../workers/queue/connect.js';
import { deleteJob } from '../workers/queue/job.js';
import { type JobNames, jobNames, jobOfStream, WORKERS_CONSUMER } from '../workers/queue/names.js';

/** Where a job's blocks are, as `manifold queue status` shows them. */
export interface JobStatus {
  job: string;
  /** Blocks the coordinator has published (a duplicate publish is not counted). */
  published: number;
  /** Published and not yet given to a worker. */
  pending: number;
  /** Given to a worker and not yet acknowledged. */
  inFlight: number;
  /** In flight or pending again after their ack wait ran out (a worker lost, or slow). */
  redelivered: number;
  /** Blocks whose output is stored. */
  done: number;
  /** Blocks that failed on their last try. */
  failed: number;
}

/** The jobs on the server, by name. */
export async function listJobs(conn: QueueConnection): Promise<string[]> {
  const jobs: string[] = [];
  for await (const stream of conn.jsm.streams.names()) {
    const job = jobOfStream(stream);
    if (job !== null) jobs.push(job);
  }
  return jobs.sort();
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

/** A job's counts, or null when there is no such job. */
export async function jobStatus(conn: QueueConnection, job: string): Promise<JobStatus | null> {
  const names = jobNames(job);
  try {
    const blocks = await askQueue(conn, `the blocks stream of job "${job}"`, () =>
      conn.jsm.streams.info(names.blocksStream),
    );
    const consumer = await askQueue(conn, `the workers' consumer of job "${job}"`, () =>
      conn.jsm.consumers.info(names.blocksStream, WORKERS_CONSUMER),
    );
    const results = await resultCounts(conn, names);
    return {
      job,
      published: blocks.state.last_seq,
      pending: consumer.num_pending,
      inFlight: consumer.num_ack_pending,
      redelivered: consumer.num_redelivered,
      ...results,
    };
  } catch (error) {
    if (error instanceof JetStreamApiError) return null;
    throw error;
  }
}

async function resultCounts(
  conn: QueueConnection,
  names: JobNames,
): Promise<{ done: number; failed: number }> {
  const info = await askQueue(conn, `the results stream of job "${names.job}"`, () =>
    conn.jsm.streams.info(names.resultsStream, { subjects_filter: '>' }),
  );
  const subjects = (info.state.subjects ?? {}) as Record<string, number>;
  return { done: subjects[names.doneSubject] ?? 0, failed: subjects[names.failedSubject] ?? 0 };
}

const COLUMNS: [keyof JobStatus, string][] = [
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
    ...jobs.map((job) => COLUMNS.map(([key]) => String(job[key]))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
  );
  return `${lines.join('\n')}\n`;
}
