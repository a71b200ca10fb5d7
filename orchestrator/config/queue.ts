import { describeError } from '../../filters/index.js';
import { type FanSettings, kebab } from '../options/fan.js';
import { NOT_ON_QUEUE, NotOnQueueError, type QueueRefusable } from '../options/not-on-queue.js';
import { type QueueTarget, resolveQueueSettings } from '../options/queue.js';
import { configKeyOf, configNameOf } from './fan.js';

/** The queue's own keys, as a config spells them. */
const KEYS: Record<string, string> = {
  queue: 'queue',
  job: 'job',
  ackWait: 'ack-wait',
  table: 'tables',
  queueTimeout: 'queue-timeout',
};

/** How a config names an option in a queue's messages: `ack-wait`, `attribution: one-to-one`. */
const queueKeyNameOf = (option: string) =>
  KEYS[option] ?? configNameOf(option as keyof FanSettings);

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
  try {
    return resolveQueueSettings(
      {
        ...refusableGiven(raw),
        queue: raw.queue as string,
        job: raw.job as string,
        ackWait: raw['ack-wait'] as string,
        queueTimeout: raw['queue-timeout'] as string,
        table: tables,
      },
      queueKeyNameOf,
    );
  } catch (error) {
    problem(problemKey(raw, error), describeError(error));
    return undefined;
  }
}

/** The options a queue's coordinator refuses, as the stage gives them (by the library's names). */
function refusableGiven(raw: Record<string, unknown>): Partial<Record<QueueRefusable, unknown>> {
  const given: Partial<Record<QueueRefusable, unknown>> = {};
  for (const option of NOT_ON_QUEUE) given[option] = raw[kebab(option)];
  // The command is the stage's worker, and how output is tied to blocks its attribution.
  given.command = raw.worker;
  const { attribution } = raw;
  given.perBlock = attribution === 'per-block' ? true : undefined;
  given.oneToOne = attribution === 'one-to-one' ? true : undefined;
  given.protocol = attribution === 'protocol' ? 'manifold' : undefined;
  return given;
}

/** The key a queue's problem is said at: the option refused, or the queue's key it names. */
function problemKey(raw: Record<string, unknown>, error: unknown): string {
  if (error instanceof NotOnQueueError) return configKeyOf(error.option as keyof FanSettings);
  const said = describeError(error);
  if (raw['ack-wait'] !== undefined && /ack-wait/.test(said)) return 'ack-wait';
  if (raw['queue-timeout'] !== undefined && /queue-timeout/.test(said)) return 'queue-timeout';
  return /^job/.test(said) ? 'job' : 'queue';
}
