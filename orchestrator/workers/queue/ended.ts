import { JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { askQueue, type QueueConnection } from './connect.js';
import type { JobNames } from './names.js';
import { lastStored } from './stored.js';

// Hearing that a job was removed: manifold's own word, or the server's advisory; and, for a
// worker whose connection was down then, reading the word kept.

/** The subject of the server's advisory that a stream was removed, less its name. */
export const STREAM_DELETED = '$JS.EVENT.ADVISORY.STREAM.DELETED';

/**
 * Calls `ended` once the job is heard removed: by manifold's own word on its `endedSubject`
 * (job.ts `deleteJob`), or by the server's advisory that one of `streams` (its results stream
 * unless told) was removed, whichever comes first. Neither is a promise: the advisory was
 * missing for some removals under load, a user may be denied advisories (that subscription
 * then fails, and is left), and a remover whose connection was gone says nothing; so callers
 * look too. Returns the way to stop listening.
 */
export function onJobEnded(
  conn: QueueConnection,
  names: JobNames,
  ended: () => void,
  streams: readonly string[] = [names.resultsStream],
): () => void {
  let heard = false;
  const hear = (error: Error | null) => {
    if (error !== null || heard) return;
    heard = true;
    ended();
  };
  const subjects = [names.endedSubject, ...streams.map((stream) => `${STREAM_DELETED}.${stream}`)];
  const subscriptions = subjects.map((subject) =>
    conn.nc.subscribe(subject, { max: 1, callback: hear }),
  );
  return () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
  };
}

/**
 * The stream that keeps each job name's last end: its remover's word on `endedSubject`
 * (`manifold.<job>.ended`), stored as it is said, for a day.
 */
export const ENDED_STREAM = 'manifold-ended';

const DAY_NS = 24 * 60 * 60 * 1e9;

/**
 * Makes ENDED_STREAM, or finds it there as asked, so that the word a job's remover says is
 * kept (the job's coordinator makes it as it starts the job). A stream of that name made
 * otherwise, or a request that fails, leaves the word unkept: the job goes on, and its end is
 * told as before, by the word and the advisory.
 */
export async function keepEnds(conn: QueueConnection): Promise<void> {
  try {
    await askQueue(conn, 'making the stream of jobs ended', () =>
      conn.jsm.streams.add({
        name: ENDED_STREAM,
        subjects: ['manifold.*.ended'],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        max_msgs_per_subject: 1,
        max_age: DAY_NS,
      }),
    );
  } catch {
    // Unkept: said all the same.
  }
}

/** The stream sequence of the last end of job `names` kept (0: none kept). */
export async function lastEnd(conn: QueueConnection, names: JobNames): Promise<number> {
  try {
    const kept = await lastStored(
      conn,
      `the last end of job "${names.job}"`,
      ENDED_STREAM,
      names.endedSubject,
    );
    return kept?.seq ?? 0;
  } catch (error) {
    // No such stream, or no end of this job kept in it.
    if (error instanceof JetStreamApiError) return 0;
    throw error;
  }
}
