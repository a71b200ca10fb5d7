import type { QueueConnection } from './connect.js';
import { QueueError } from './connect.js';
import type { JobNames } from './names.js';

/**
 * Watches a connection that reconnects for ever: once the server has been gone for `ms` on end
 * (a restart inside that resumes), the connection is closed, so that whatever waits on it fails,
 * and the promise resolves to the one line to say, naming the URL and `waiting` (who gave up).
 * Never resolves while the server comes back in time, or once the connection is closed by its user.
 */
export function whenGone(conn: QueueConnection, ms: number, waiting: string): Promise<QueueError> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = () => {
      const seconds = `${Math.round(ms / 100) / 10}s`;
      resolve(
        new QueueError(
          `the queue at ${conn.url} has been unreachable for ${seconds} (--queue-timeout): ${waiting} gives up`,
        ),
      );
      // After who waits has heard (its promise's handlers run first), so it stops before.
      setImmediate(() => conn.nc.close().catch(() => {}));
    };
    (async () => {
      for await (const status of conn.nc.status()) {
        if (status.type === 'disconnect' && timer === undefined) timer = setTimeout(giveUp, ms);
        else if (status.type === 'reconnect') {
          clearTimeout(timer);
          timer = undefined;
        }
      }
      clearTimeout(timer);
    })().catch(() => clearTimeout(timer));
  });
}

/**
 * Watches for the job's removal by another (`manifold queue rm`) while its coordinator runs:
 * the server's advisories of its streams removed. Then the connection is closed, as for a
 * server gone, and the promise resolves to the one line to say. `stop` before the coordinator
 * removes the job itself.
 */
export function whenRemoved(
  conn: QueueConnection,
  names: JobNames,
): { removed: Promise<QueueError>; stop(): void } {
  let resolve: (error: QueueError) => void = () => {};
  const removed = new Promise<QueueError>((done) => {
    resolve = done;
  });
  const streams = [names.resultsStream, names.blocksStream];
  const subscriptions = streams.map((stream) =>
    conn.nc.subscribe(`$JS.EVENT.ADVISORY.STREAM.DELETED.${stream}`, {
      max: 1,
      callback: (error) => {
        if (error !== null) return;
        resolve(
          new QueueError(
            `job "${names.job}" was removed from the queue at ${conn.url} while its coordinator ran (manifold queue rm?)`,
          ),
        );
        setImmediate(() => conn.nc.close().catch(() => {}));
      },
    }),
  );
  return {
    removed,
    stop: () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}
