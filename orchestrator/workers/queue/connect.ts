import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, TimeoutError } from '@nats-io/transport-node';
import { describeError, ManifoldError } from '../../../filters/index.js';
import { formatDuration } from '../../options/jobs.js';
import { queueAddress } from './names.js';

/**
 * How long a JetStream API request (making a job's streams, a consumer) waits for its answer
 * before it is asked again (askQueue): a server writing its file store on a busy machine can take
 * more than the client's default 5 s.
 */
const API_TIMEOUT_MS = 10_000;
/** How many times a JetStream API request with no answer is asked before the run fails. */
const API_TRIES = 6;

/** A connection to a NATS server with JetStream, as the queue's both sides use it. */

export interface QueueConnection {
  url: string;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** The server's largest message, headers included (`max_payload`: 1 MiB by default). */
  maxPayload: number;
  /** Resolves at the connection's next reconnection to the server; `cancel` stops waiting. */
  reconnected(): { back: Promise<void>; cancel(): void };
  /** Says a line under --verbose. */
  log(line: string): void;
  close(): Promise<void>;
}

/** The queue's server cannot be reached, or cannot serve as a queue: exit status 1. */
export class QueueError extends ManifoldError {
  constructor(message: string, cause?: unknown) {
    super('manifold.failure', message, { exitCode: 1, cause });
  }
}

/** How a first connection waits for a server not up yet (a queue worker's --connect-timeout). */
export interface FirstConnect {
  /** How long to go on trying; 0: the first failure is final. */
  waitMs: number;
  /** Told once, at the first failure it waits on: the line to say. */
  waiting(line: string): void;
}

/** How long a try at a connection waits for the server's answer. */
const CONNECT_TIMEOUT_MS = 5000;

/** The pause between tries of a first connection that waits. */
const FIRST_TRY_PAUSE_MS = 250;

/**
 * Connects to the server at `url` and checks it has JetStream. The first connection must
 * succeed (a wrong address is said at once, naming it), or, with `first`, succeed within its
 * wait where the server is not up yet (refused, no answer in time: a server and its workers
 * started together); after that the client reconnects for as long as it takes, so a server
 * restarted mid-run loses nothing.
 */
export async function connectQueue(
  address: string,
  log: (line: string) => void = () => {},
  first: FirstConnect = { waitMs: 0, waiting: () => {} },
): Promise<QueueConnection> {
  // Said without its credentials, in every line that names it.
  const { shown: url, auth } = queueAddress(address);
  const deadline = Date.now() + first.waitMs;
  let waited = false;
  let nc: NatsConnection;
  for (;;) {
    try {
      nc = await connect({
        servers: url,
        ...auth,
        name: 'manifold',
        // A try of a wait waits for the server's answer no longer than the wait has left.
        timeout:
          first.waitMs === 0
            ? CONNECT_TIMEOUT_MS
            : Math.max(1, Math.min(CONNECT_TIMEOUT_MS, deadline - Date.now())),
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
      });
      break;
    } catch (error) {
      const given = auth === null ? null : 'token' in auth ? 'its token' : 'its user or password';
      const reason = reasonOf(error, given);
      const wait = formatDuration(first.waitMs);
      if (!notUpYet(reason) || Date.now() >= deadline) {
        const waitedOut = first.waitMs > 0 && notUpYet(reason);
        const after = waitedOut ? ` (waited ${wait} for it: --connect-timeout)` : '';
        throw new QueueError(`cannot reach the queue at ${url}: ${reason}${after}`, error);
      }
      if (!waited)
        first.waiting(
          `the queue at ${url}: ${reason}; waiting up to ${wait} for it (--connect-timeout)`,
        );
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, FIRST_TRY_PAUSE_MS));
    }
  }
  if (waited) log(`the queue at ${url} is up: connected`);
  if (nc.info?.jetstream !== true) {
    const version = nc.info?.version ?? 'unknown';
    await nc.close();
    throw new QueueError(
      `the NATS server at ${url} has no JetStream (version ${version}): start it with -js`,
    );
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc, { timeout: API_TIMEOUT_MS });
  } catch (error) {
    await nc.close();
    throw new QueueError(`the NATS server at ${url} has no JetStream: ${reasonOf(error)}`, error);
  }
  const waiting = new Set<() => void>();
  (async () => {
    for await (const status of nc.status())
      if (status.type === 'reconnect') for (const wake of [...waiting]) wake();
  })().catch(() => {});
  return {
    url,
    nc,
    js: jetstream(nc, { timeout: API_TIMEOUT_MS }),
    jsm,
    maxPayload: nc.info?.max_payload ?? 1024 * 1024,
    reconnected() {
      let wake = () => {};
      const back = new Promise<void>((resolve) => {
        wake = resolve;
        waiting.add(wake);
      });
      return { back, cancel: () => waiting.delete(wake) };
    },
    log,
    close: async () => {
      // A drain waits for a server that is away; its closing (gone.ts) ends the wait.
      if (!nc.isClosed()) await Promise.race([nc.drain().catch(() => nc.close()), nc.closed()]);
    },
  };
}

/**
 * Asks a JetStream API request (a stream or consumer made, read or removed) again when it gets no
 * answer in time, up to API_TRIES times: nats-server 2.9 on a loaded machine has been seen to
 * leave one unanswered for good (a job's stream made by the bench's queue probe, in CI). Every
 * request asked this way is idempotent: making a stream or consumer that is there already as
 * asked, reading, removing (a second removal is an API error its caller expects). Past the
 * tries, one line naming the queue and `what` was asked.
 *
 * A request under way when the connection is lost (a server restarted) is never answered: the
 * client sends it again on the new connection but no answer comes, and it waited its whole 10 s
 * before being asked again (a worker's look for its job after a restart held the job up 10 s).
 * It is asked again as soon as the connection is back, not counted among the tries.
 */
export async function askQueue<T>(
  conn: QueueConnection,
  what: string,
  request: () => Promise<T>,
): Promise<T> {
  for (let tried = 1; ; ) {
    try {
      const answer = await unlessReconnected(conn, request());
      if (answer !== null) return answer.value;
      conn.log(`the connection to the queue at ${conn.url} is back: asking again for ${what}`);
    } catch (error) {
      if (!(error instanceof TimeoutError) || conn.nc.isClosed()) throw error;
      if (tried >= API_TRIES)
        throw new QueueError(
          `the queue at ${conn.url} gave no answer to ${what}, asked ${API_TRIES} times ${API_TIMEOUT_MS / 1000} s apart`,
          error,
        );
      tried++;
    }
  }
}

/**
 * The answer to a request (`asked`), or null when the connection is lost and back first: the
 * request went with it, and would only time out. Its late end, if any, is no news.
 */
export async function unlessReconnected<T>(
  conn: QueueConnection,
  asked: Promise<T>,
): Promise<{ value: T } | null> {
  const { back, cancel } = conn.reconnected();
  try {
    const answer = await Promise.race([asked.then((value) => ({ value })), back.then(() => null)]);
    if (answer === null) asked.catch(() => {});
    return answer;
  } finally {
    cancel();
  }
}

/** A reason a server being started may give: it will not be another once it is up. */
function notUpYet(reason: string): boolean {
  return reason === 'connection refused' || reason === 'no answer in time';
}

/** Why a connection failed; `given` names the credentials the address gave, if it gave any. */
function reasonOf(error: unknown, given: string | null = null): string {
  const text = describeError(error);
  if (/authorization violation/i.test(text))
    return given !== null
      ? `the server refused the connection: ${given} is wrong`
      : 'the server refused the connection: it needs a user and password (nats://user:password@host:port)';
  if (/ECONNREFUSED|connection refused/i.test(text)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'no such host';
  if (/timeout/i.test(text)) return 'no answer in time';
  // Something listens there that is no NATS server (an sshd, a web server).
  if (/unexpected response from server/i.test(text))
    return 'what answers there is no NATS server (its greeting was not one)';
  return text.replace(/^Error: /, '');
}
