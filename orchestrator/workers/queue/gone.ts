import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { askQueue, type QueueConnection, QueueError } from './connect.js';
import { onJobEnded } from './ended.js';
import { storedSpec } from './job.js';
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

/** How often a running coordinator looks whether its job is still there, besides hearing of its end. */
const LOOK_MS = 1000;

/**
 * Watches for the job's removal by another (`manifold queue rm`) while its coordinator runs:
 * the server's advisories of its streams removed, or a look at them. Then the connection is
 * closed, as for a server gone, and the promise resolves to the one line to say. `stop` before
 * the coordinator removes the job itself.
 */
export function whenRemoved(
  conn: QueueConnection,
  names: JobNames,
  run: string,
): { removed: Promise<QueueError>; stop(): void } {
  let resolve: (error: QueueError) => void = () => {};
  const removed = new Promise<QueueError>((done) => {
    resolve = done;
  });
  let stopped = false;
  const say = () => {
    if (stopped) return;
    stopped = true;
    resolve(
      new QueueError(
        `job "${names.job}" was removed from the queue at ${conn.url} while its coordinator ran (manifold queue rm?)`,
      ),
    );
    setImmediate(() => conn.nc.close().catch(() => {}));
  };
  const unlisten = onJobEnded(conn, names, say, [names.resultsStream, names.blocksStream]);
  // What is heard is not a promise (ended.ts): nats-server 2.9.10 sent no advisory for about
  // one removal in forty, and a coordinator denied advisories never hears one; it waited for its
  // input, or its answers, for ever. One look at a time, every LOOK_MS.
  let looking = false;
  const look = setInterval(() => {
    if (looking || stopped || conn.nc.isClosed()) return;
    looking = true;
    isRemoved(conn, names, run)
      .then((gone) => {
        if (gone) say();
      })
      .catch(() => {})
      .finally(() => {
        looking = false;
      });
  }, LOOK_MS);
  return {
    removed,
    stop: () => {
      stopped = true;
      clearInterval(look);
      unlisten();
    },
  };
}

/**
 * Whether the job of run `run` is gone: one of its streams not there, or its description
 * another run's (removed, and started afresh). Any other failure to look says nothing.
 */
async function isRemoved(conn: QueueConnection, names: JobNames, run: string): Promise<boolean> {
  try {
    await askQueue(conn, `the blocks stream of job "${names.job}"`, () =>
      conn.jsm.streams.info(names.blocksStream),
    );
    const spec = await storedSpec(conn, names);
    return spec === null || spec.run !== run;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
      return true;
    throw error;
  }
}
