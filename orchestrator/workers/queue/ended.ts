import type { QueueConnection } from './connect.js';
import type { JobNames } from './names.js';

// Hearing that a job was removed: manifold's own word, or the server's advisory.

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
