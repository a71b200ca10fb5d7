import { UsageError } from '../../filters/index.js';
import type { TableBinding } from '../fan/tables.js';
import { checkJobName, checkQueueUrl, DEFAULT_JOB } from '../workers/queue/names.js';
import { show } from './checks.js';
import { parseTimeout } from './jobs.js';
import { notOnQueue, type QueueRefusable } from './not-on-queue.js';
import { resolveQueueTables } from './queue-tables.js';

/** How long a queue may be unreachable before its users give up, by default (`--queue-timeout`). */
export const DEFAULT_QUEUE_TIMEOUT = '60s';

/** The names of the queue settings, for the library's and configs' checks of option names. */
export const QUEUE_SETTING_NAMES = ['queue', 'job', 'ackWait', 'queueTimeout'] as const;

/** The settings that make a fan a queue's coordinator (docs/queue.md). */
export interface QueueSettings {
  /** A NATS JetStream server, `nats://host:4222`: the blocks go there, for `manifold worker --queue`. */
  queue?: string;
  /** The job, shared with its workers and resumed by name. @default 'default' */
  job?: string;
  /** How long a block may go without word from its worker before another gets it. @default '30s' */
  ackWait?: string | number;
  /**
   * How long the server may be unreachable (a restart inside it resumes) before the run fails,
   * naming it. @default '60s'
   */
  queueTimeout?: string | number;
}

/** Where and as what job a coordinator publishes its blocks. */
export interface QueueTarget {
  url: string;
  job: string;
  ackWaitMs: number;
  /** Tables for the workers: stored in the queue's Object Store, fetched by each machine. */
  tables: TableBinding[];
  /** How long the server may be unreachable before the run fails. */
  timeoutMs: number;
}

/** The shortest --ack-wait (ms). */
const MIN_ACK_WAIT_MS = 1000;

/** `--ack-wait`'s value in ms, `name` as messages spell it. */
export function parseAckWait(value: unknown, name: string): number {
  const ms = parseTimeout(value, () => name);
  // A worker confirms a block every third of the wait, every 100 ms at the most often
  // (queue/hand.ts), through the server and a busy network: a shorter wait gives blocks to others while their workers are still at them, and counts
  // each such delivery as lost with its worker, till the block fails the run.
  if (ms < MIN_ACK_WAIT_MS)
    throw new UsageError(
      `${name} must be at least 1s: its workers confirm a block they run every third of it, and a shorter one gives blocks away from workers still at them (got ${show(value)})`,
    );
  return ms;
}

/**
 * The queue a fan coordinates, or null when `queue` is not given: `job` and `ackWait` without it
 * are refused, as are with it the options a queue's coordinator does not take (not-on-queue.ts). Messages name options as `name` spells them.
 */
export function resolveQueueSettings(
  settings: QueueSettings & Record<string, unknown>,
  name: (option: string) => string,
): QueueTarget | null {
  if (settings.queue === undefined) {
    for (const option of ['job', 'ackWait', 'queueTimeout'] as const) {
      if (settings[option] !== undefined)
        throw new UsageError(`${name(option)} needs ${name('queue')}`);
    }
    return null;
  }
  if (typeof settings.queue !== 'string')
    throw new UsageError(`${name('queue')} must be a URL, nats://host:4222`);
  const refused = notOnQueue(settings as Partial<Record<QueueRefusable, unknown>>, name);
  if (refused !== null) throw refused;
  const url = checkQueueUrl(settings.queue, name('queue'));
  const job = checkJobName(String(settings.job ?? DEFAULT_JOB), name('job'));
  const ackWaitMs = parseAckWait(settings.ackWait ?? '30s', name('ackWait'));
  const timeoutMs = parseTimeout(settings.queueTimeout ?? DEFAULT_QUEUE_TIMEOUT, () =>
    name('queueTimeout'),
  );
  return { url, job, ackWaitMs, timeoutMs, tables: resolveQueueTables(settings.table, name) };
}
