import type { JetStreamPublishOptions, PubAck } from '@nats-io/jetstream';
import { describeError } from '../../../filters/index.js';
import type { QueueConnection } from './connect.js';

const RETRY_MS = 250;

/**
 * Publishes a message and waits for the server to have stored it, trying again while the
 * server is away (restarted, or the connection lost): the message's id (`msgID`) makes a second
 * publish of what was stored a duplicate the server drops. Gives up only when `stopped` says so.
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
      return await conn.js.publish(subject, data, options);
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
