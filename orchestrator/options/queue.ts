import { UsageError } from '../../filters/index.js';
import type { TableBinding } from '../fan/tables.js';
import { checkJobName, checkQueueUrl, DEFAULT_JOB } from '../workers/queue/names.js';
import { negativeBlock, show } from './checks.js';
import { parseTimeout } from './jobs.js';
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

/**
 * Settings a queue's coordinator does not take: they are its workers' (`manifold worker`), or need
 * a local worker. By the library's and configs' names; the command line's spelling from `name`.
 */
export const WORKERS_OWN_SETTINGS = [
  'command',
  'workers',
  'perBlock',
  'oneToOne',
  'protocol',
  'threads',
  'threadHeap',
  'shell',
  'tag',
  'tagString',
  'okStatus',
  'dispatch',
  'env',
  'hosts',
  'hostsFile',
] as const;

/** The shortest --ack-wait (ms). */
const MIN_ACK_WAIT_MS = 1000;

/**
 * The queue a fan coordinates, or null when `queue` is not given: `job` and `ackWait` without it
 * are refused, as are the workers' own settings with it. Messages name options as `name` spells them.
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
  for (const option of WORKERS_OWN_SETTINGS) {
    if (settings[option] !== undefined)
      throw new UsageError(
        `${name(option)} is not for ${name('queue')}: it is the workers' (manifold worker --queue, docs/queue.md)`,
      );
  }
  if (settings.merge === 'sorted')
    throw new UsageError(
      `${name('merge')} sorted is not for ${name('queue')}: use ready or ordered`,
    );
  // A queue's blocks are its messages, cut to fit the server's max_payload: not by count.
  if (settings.records !== undefined)
    throw new UsageError(
      `${name('records')} is not for ${name('queue')}: a queue's blocks are cut by size, to fit its messages`,
    );
  if (settings.groupBy !== undefined)
    throw new UsageError(
      `${name('groupBy')} is not for ${name('queue')}: a queue's blocks are cut by size, to fit its messages`,
    );
  // A negative block counts blocks a worker, and a queue's workers are not known here.
  const count = negativeBlock(settings.block);
  if (count !== undefined)
    throw new UsageError(
      `${name('block')} ${count} is not for ${name('queue')}: it divides the input among workers, and a queue's are not known in advance; give a size`,
    );
  // A queue's workers are given each block on stdin, on their machine: --cat is a local fan's.
  for (const option of ['cat', 'fifo'] as const) {
    if (settings[option] !== undefined)
      throw new UsageError(
        `${name(option)} is not for ${name('queue')}: its workers take each block on stdin, on their machines`,
      );
  }
  // A queue's blocks start as its workers take them, on their machines: nothing here spaces them.
  if (settings.delay !== undefined)
    throw new UsageError(
      `${name('delay')} is not for ${name('queue')}: its workers start blocks as they take them, on their machines`,
    );
  if (settings.tmpdir !== undefined)
    throw new UsageError(
      `${name('tmpdir')} is not for ${name('queue')}: its workers take their blocks on stdin, on their machines, with their own TMPDIR`,
    );
  if (settings.nice !== undefined)
    throw new UsageError(
      `${name('nice')} is not for ${name('queue')}: its workers' processes run on their machines, at the niceness of manifold worker there`,
    );
  const url = checkQueueUrl(settings.queue, name('queue'));
  const job = checkJobName(String(settings.job ?? DEFAULT_JOB), name('job'));
  const ackWaitMs = parseTimeout(settings.ackWait ?? '30s', () => name('ackWait'));
  // A worker confirms a block every third of the wait, every 100 ms at the most often
  // (queue/hand.ts), through the server and a busy network: a shorter wait gives blocks to others while their workers are still at them, and counts
  // each such delivery as lost with its worker, till the block fails the run.
  if (ackWaitMs < MIN_ACK_WAIT_MS)
    throw new UsageError(
      `${name('ackWait')} must be at least 1s: its workers confirm a block they run every third of it, and a shorter one gives blocks away from workers still at them (got ${show(settings.ackWait)})`,
    );
  const timeoutMs = parseTimeout(settings.queueTimeout ?? DEFAULT_QUEUE_TIMEOUT, () =>
    name('queueTimeout'),
  );
  return { url, job, ackWaitMs, timeoutMs, tables: resolveQueueTables(settings.table, name) };
}
