import type { QueueConnection } from './connect.js';
import { QueueError } from './connect.js';

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
