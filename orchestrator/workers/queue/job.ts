import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { UsageError } from '../../../filters/index.js';
import { FrameKind } from '../frame/index.js';
import { askQueue, type QueueConnection, QueueError } from './connect.js';
import { keepEnds } from './ended.js';
import { frameMessage, readMessage } from './messages.js';
import {
  type JobNames,
  type JobOption,
  type JobOptionName,
  jobFlagOf,
  WORKERS_CONSUMER,
} from './names.js';
import { lastStored } from './stored.js';

/**
 * What a job is, as the coordinator set it up: its workers read it to cut output and count
 * records as the coordinator will, and a coordinator resuming the job checks it cuts the input
 * the same way (the same blocks, so the answers it finds are answers to its blocks).
 */
export interface JobSpec {
  version: 1;
  /** The job's run id: every block frame carries it. */
  run: string;
  /** The input's framing (`--split`) and the output's (`--join`), by name. */
  split: string;
  join: string;
  /** The most bytes of a block. */
  block: number;
  /** How many times a block is tried before it fails (1 + --retries). */
  tries: number;
  /** How long a block may go without word from its worker before it goes to another, in ms. */
  ackWaitMs: number;
  /** The workers' tables: name → content hash, an object of the Object Store (tables.ts). */
  tables?: Record<string, string>;
  /** --timeout: how long a block may run on a worker before it is killed as failed (none: null). */
  timeoutMs?: number | null;
  /** --header: records of the input's start given before each block (none: null). */
  header?: number | 'auto' | null;
  /**
   * --termseq: how a worker ends a block's process past the timeout, or its processes when it
   * stops, as `SIGINT,5000,SIGTERM,1000` (none: null, the defaults).
   */
  termseq?: string | null;
}

/** How long (ns) the server remembers a message id to drop a second publish of it. */
const DUPLICATE_WINDOW_NS = 60 * 60 * 1e9;

/** The job's description, or null when there is no such job (yet). */
export async function readSpec(conn: QueueConnection, names: JobNames): Promise<JobSpec | null> {
  try {
    return await storedSpec(conn, names);
  } catch (error) {
    if (error instanceof JetStreamApiError) return null;
    throw error;
  }
}

/**
 * The job's description, or null when its results stream holds none; the server's refusals
 * (its stream not there: a JetStreamApiError) are thrown, for a caller that tells them apart.
 */
export async function storedSpec(conn: QueueConnection, names: JobNames): Promise<JobSpec | null> {
  const stored = await lastStored(
    conn,
    `the description of job "${names.job}"`,
    names.resultsStream,
    names.specSubject,
  );
  if (stored === null) return null;
  return JSON.parse(readMessage(stored.data).payload.toString('utf8')) as JobSpec;
}

/**
 * Creates the job's streams, its workers' consumer and its description; or, when the job exists
 * (a coordinator restarted), checks it was made as `wanted` and returns it as it is. The
 * description is written last: workers waiting for the job start once everything is there.
 */
export async function startJob(
  conn: QueueConnection,
  names: JobNames,
  wanted: Omit<JobSpec, 'run' | 'version'>,
  run: string,
  name: JobOptionName = jobFlagOf,
): Promise<{ spec: JobSpec; resumed: boolean }> {
  // Its end, said by deleteJob, is kept: a worker waiting for it while its connection is down
  // hears nothing of the job, and reads that once its connection is back (queue/pull.ts).
  await keepEnds(conn);
  const found = await readSpec(conn, names);
  if (found !== null) {
    checkSame(found, wanted, names.job, name);
    await ensureBlocks(conn, names, found);
    return { spec: found, resumed: true };
  }
  const spec: JobSpec = { version: 1, run, ...wanted };
  await ensureBlocks(conn, names, spec);
  await addStream(conn, names, `making the results stream of job "${names.job}"`, {
    name: names.resultsStream,
    subjects: [
      names.outSubject,
      names.doneSubject,
      names.failedSubject,
      names.specSubject,
      names.noticeSubject,
      names.headerSubject,
    ],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: DUPLICATE_WINDOW_NS,
  });
  const data = frameMessage(FrameKind.Hello, run, 0, [Buffer.from(JSON.stringify(spec))]);
  // Stored once whatever the number of times it is asked: the message id.
  await askQueue(conn, `storing the description of job "${names.job}"`, () =>
    conn.js.publish(names.specSubject, data, { msgID: `${names.job}.spec` }),
  );
  // Another coordinator may have made the job at the same moment: the first description stands.
  const stored = await readSpec(conn, names);
  if (stored !== null && stored.run !== run) {
    checkSame(stored, wanted, names.job, name);
    return { spec: stored, resumed: true };
  }
  return { spec, resumed: false };
}

async function ensureBlocks(conn: QueueConnection, names: JobNames, spec: JobSpec): Promise<void> {
  await addStream(conn, names, `making the blocks stream of job "${names.job}"`, {
    name: names.blocksStream,
    subjects: [names.blocksSubject],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: DUPLICATE_WINDOW_NS,
  });
  await askQueue(conn, `making the workers' consumer of job "${names.job}"`, () =>
    conn.jsm.consumers.add(names.blocksStream, {
      durable_name: WORKERS_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: spec.ackWaitMs * 1e6,
      // Tries are counted by the workers, on failures (messages.ts); a worker that dies is not a
      // failure of the block's, and its block simply goes again.
      max_deliver: -1,
    }),
  );
}

/** The server's code for a stream of that name there with another configuration. */
const STREAM_NAME_IN_USE = 10058;

/**
 * Makes one of a job's streams, or finds it there as asked. One of its name made otherwise (by
 * hand, another program, an older manifold) is one line naming the job, the stream and the
 * way out, not the client's `JetStreamApiError: stream name already in use ...`.
 */
async function addStream(
  conn: QueueConnection,
  names: JobNames,
  what: string,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await askQueue(conn, what, () => conn.jsm.streams.add(config));
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== STREAM_NAME_IN_USE) throw error;
    throw new QueueError(
      `job "${names.job}" cannot be made on the queue at ${conn.url}: its stream ${config.name} is there, made otherwise (${error.message}): remove it with manifold queue rm --job ${names.job}`,
      error,
    );
  }
}

function checkSame(
  found: JobSpec,
  wanted: Omit<JobSpec, 'run' | 'version'>,
  job: string,
  name: JobOptionName,
): void {
  const options: [keyof typeof wanted, JobOption][] = [
    ['split', 'split'],
    ['join', 'join'],
    ['block', 'block'],
    ['tries', 'retries'],
    ['ackWaitMs', 'ackWait'],
    ['timeoutMs', 'timeout'],
    ['header', 'header'],
    ['termseq', 'termseq'],
  ];
  for (const [key, option] of options) {
    if ((found[key] ?? null) !== (wanted[key] ?? null)) {
      const value = found[key];
      // As the flag is written: --retries counts the tries after the first, durations are seconds.
      const was =
        key === 'tries'
          ? found.tries - 1
          : key.endsWith('Ms') && typeof value === 'number'
            ? `${value / 1000}s`
            : (value ?? 'none');
      throw new UsageError(
        `job "${job}" on the queue was started with ${name(option, String(was))}: resume it with the same options, or give another ${name('job')}`,
      );
    }
  }
}

/**
 * Removes a job from the server: its blocks, results and consumer; then says so on the job's
 * `endedSubject`, to workers waiting for it or serving it and to its coordinator. The server's
 * advisory of a stream removed says the same, but nats-server 2.9.10 sent none for some
 * removals under load (a worker waiting for a job that came and went then waited on), and a
 * user may be denied advisories; a message of manifold's own reaches every subscriber of a
 * server whose connection is up, and is kept for one whose connection is not (ended.ts).
 */
export async function deleteJob(conn: QueueConnection, names: JobNames): Promise<void> {
  // The description goes first: workers take its going as the job's end.
  for (const stream of [names.resultsStream, names.blocksStream]) {
    try {
      await askQueue(conn, `removing stream ${stream}`, () => conn.jsm.streams.delete(stream));
    } catch (error) {
      if (!(error instanceof JetStreamApiError)) throw error;
    }
  }
  try {
    conn.nc.publish(names.endedSubject);
    // Out before the caller closes its connection (a coordinator that ends).
    await conn.nc.flush();
  } catch {
    // A connection gone: the advisory, and the workers' looks, say the job's end.
  }
}
