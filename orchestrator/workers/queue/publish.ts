import type { JetStreamPublishOptions, PubAck } from '@nats-io/jetstream';
import { describeError } from '../../../filters/index.js';
import { type QueueConnection, unlessReconnected } from './connect.js';

const RETRY_MS = 250;

/**
 * Publishes a message and waits for the server to have stored it, trying again while the
 * server is away (restarted, or the connection lost): the message's id (`msgID`) makes a second
 * publish of what was stored a duplicate the server drops. Gives up only when `stopped` says so.
 * A publish under way when the connection is lost is never answered: it is sent again as soon
 * as the connection is back, not after its 10 s wait (askQueue).
 */
export async function publishUntilStored(
  conn: QueueConnection,
  subject: string,
  data: Uint8Array,
  options: Partial<JetStreamPublishOptions>,
  stopped: () => boolean,
  log: (line: string) => void,
): Promise<PubAck | null> {
  let said = false;
  for (;;) {
    if (stopped()) return null;
    try {
      const stored = await unlessReconnected(conn, conn.js.publish(subject, data, options));
      if (stored !== null) return stored.value;
      if (!said) log(`the connection to the queue at ${conn.url} is back: publishing again`);
      said = true;
    } catch (error) {
      if (conn.nc.isClosed()) throw error;
      if (!said)
        log(
          `the queue at ${conn.url} did not store a message (${describeError(error)}); trying again`,
        );
      said = true;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
