import type { StoredMsg } from '@nats-io/jetstream';
import { askQueue, type QueueConnection } from './connect.js';

// nats-server before 2.9.15 (Debian's 2.9.10 among them) lists a stream being made before it
// has made the stream's store, and two requests read that store with no look whether it is
// there: a message read (STREAM.MSG.GET) and a stream's info asked with subjects_filter. One
// that reaches a stream in that moment panics the server (a nil pointer dereference in
// jsMsgGetRequest): workers looking for their job every quarter second while its coordinator
// made it crashed CI's servers. A stream's plain info is safe then (it says the stream holds
// nothing), and a stream whose info shows a message has its store for good: so the stored
// messages of a stream are asked only of one whose info shows some. (Fixed in the server by
// nats-io/nats-server b19fe508c, which lists a stream once it is made.)

/**
 * The last message of `subject` in `stream`: null when there is none, or the stream is being
 * made. A stream that is not there is the server's JetStreamApiError, as a plain read's.
 */
export async function lastStored(
  conn: QueueConnection,
  what: string,
  stream: string,
  subject: string,
): Promise<StoredMsg | null> {
  return askQueue(conn, what, async () => {
    const info = await conn.jsm.streams.info(stream);
    if (info.state.messages === 0) return null;
    return conn.jsm.streams.getMessage(stream, { last_by_subj: subject });
  });
}

/**
 * How many messages of each subject `stream` holds: none while it is being made. A stream
 * that is not there is the server's JetStreamApiError.
 */
export async function subjectCounts(
  conn: QueueConnection,
  what: string,
  stream: string,
): Promise<Record<string, number>> {
  return askQueue(conn, what, async () => {
    const info = await conn.jsm.streams.info(stream);
    if (info.state.messages === 0) return {};
    const subjects = await conn.jsm.streams.info(stream, { subjects_filter: '>' });
    return (subjects.state.subjects ?? {}) as Record<string, number>;
  });
}
