import type { JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { QueueConnection } from '../workers/queue/connect.js';
import { HEADER_COUNTED } from '../workers/queue/messages.js';
import type { JobNames } from '../workers/queue/names.js';

// A block a queue worker gives back untried (server.ts): it is stopped, its process cannot
// start, or the block waited behind one whose failure ended its process. The server counts each
// delivery of a message, and cannot be told one was no try; a nak would cost the block one of
// its tries (`1 + --retries`) and of its allowance for workers lost with it (lost.ts). So the
// block is stored again, as a fresh message that carries the deliveries that counted, and the
// one delivered is acknowledged: its tries are the times it ran, as in a local fan.

/** How long storing a block again may take before it is given back with a nak instead. */
const STORE_AGAIN_MS = 5000;

/**
 * The deliveries of the block a message carries that count: tries (failed, or the one under
 * way) and workers lost with it, not the deliveries given back untried.
 */
export function deliveriesOf(message: JsMsg): number {
  const before = Number(message.headers?.get(HEADER_COUNTED) || 0);
  const counted = Number.isSafeInteger(before) && before > 0 ? before : 0;
  return counted + message.info.deliveryCount;
}

/**
 * Gives a delivered block back to the queue untried: stored again, with the deliveries that
 * counted (this one not among them), and the delivered message acknowledged once it is. The
 * copy's message id is of this delivery's message, so a second try of it stores nothing more.
 * Where the server does not store it (the job gone, the connection lost), a nak gives it back
 * as before, counted. Resolves, never rejects, once done.
 */
export async function giveBackUntried(
  conn: QueueConnection,
  names: JobNames,
  message: JsMsg,
): Promise<void> {
  try {
    const headers = natsHeaders();
    // Ours alone: the server's (Nats-Msg-Id, the first copy's id) are not carried over.
    for (const name of message.headers?.keys() ?? [])
      if (!/^nats-/i.test(name))
        for (const value of message.headers!.values(name)) headers.append(name, value);
    headers.set(HEADER_COUNTED, String(deliveriesOf(message) - 1));
    const { streamSequence } = message.info;
    const msgID = `${names.job}.untried.${streamSequence}`;
    await conn.js.publish(names.blocksSubject, message.data, {
      msgID,
      headers,
      timeout: STORE_AGAIN_MS,
    });
  } catch {
    message.nak();
    return;
  }
  await message.ackAck().catch(() => false);
}
