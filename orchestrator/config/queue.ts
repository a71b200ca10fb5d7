import { describeError } from '../../filters/index.js';
import { type QueueTarget, resolveQueueSettings } from '../options/queue.js';

/** A fan stage's keys that are a queue's workers' (manifold worker --queue), or need a local worker. */
const WORKERS_OWN_KEYS = [
  'worker',
  'workers',
  'attribution',
  'ok-status',
  'dispatch',
  'key',
  'hosts',
  'thread-heap',
] as const;

const KEYS: Record<string, string> = {
  queue: 'queue',
  job: 'job',
  ackWait: 'ack-wait',
  table: 'tables',
  queueTimeout: 'queue-timeout',
  groupBy: 'group-by',
};

/**
 * A fan stage's `queue:` (with `job:` and `ack-wait:`), resolved as `fan --queue` is; null when
 * it has none, undefined when a problem was said. The config's `tables` (`NAME=PATH`, checked)
 * go to the queue's workers through its Object Store.
 */
export function configQueue(
  raw: Record<string, unknown>,
  problem: (key: string, message: string) => void,
  tables: readonly string[] = [],
): QueueTarget | null | undefined {
  if (raw.queue === undefined) {
    for (const key of ['job', 'ack-wait', 'queue-timeout']) {
      if (raw[key] !== undefined) {
        problem(key, `${key} needs queue`);
        return undefined;
      }
    }
    // The schema has seen to its worker.
    return null;
  }
  // A worker's --tag tags its processes' stderr only: pointing at it for the output misleads,
  // and a worker has no --tagstring (as `fan --queue --tag` says).
  for (const key of ['tag', 'tag-string']) {
    if (raw[key] !== undefined) {
      problem(
        key,
        `${key} is not for a queue's stage: a queue job's output is not tagged (a worker's --tag tags its processes' stderr)`,
      );
      return undefined;
    }
  }
  for (const key of WORKERS_OWN_KEYS) {
    if (raw[key] !== undefined) {
      problem(
        key,
        `${key} is not for a queue's stage: it is its workers' (manifold worker --queue, docs/queue.md)`,
      );
      return undefined;
    }
  }
  try {
    return resolveQueueSettings(
      {
        queue: raw.queue as string,
        job: raw.job as string,
        ackWait: raw['ack-wait'] as string,
        queueTimeout: raw['queue-timeout'] as string,
        merge: raw.merge,
        records: raw.records,
        block: raw.block,
        groupBy: raw['group-by'],
        cat: raw.cat,
        fifo: raw.fifo,
        delay: raw.delay,
        nice: raw.nice,
        tmpdir: raw.tmpdir,
        table: tables,
      },
      (option) => KEYS[option] ?? option,
    );
  } catch (error) {
    const said = describeError(error);
    const key =
      raw['ack-wait'] !== undefined && /ack-wait/.test(said)
        ? 'ack-wait'
        : raw['queue-timeout'] !== undefined && /queue-timeout/.test(said)
          ? 'queue-timeout'
          : /^job/.test(said)
            ? 'job'
            : /^records /.test(said)
              ? 'records'
              : /^block /.test(said)
                ? 'block'
                : /^group-by /.test(said)
                  ? 'group-by'
                  : (/^(cat|fifo|delay|nice|tmpdir) /.exec(said)?.[1] ?? 'queue');
    problem(key, describeError(error));
    return undefined;
  }
}
