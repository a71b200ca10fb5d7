import { UsageError } from '../../filters/index.js';
import { negativeBlock } from './checks.js';
import type { FanSettings } from './fan-settings.js';

/** What a queue's coordinator may be given and refuses, by the library's names. */
export type QueueRefusable = keyof FanSettings | 'hosts' | 'hostsFile' | 'env';

/** How a face spells an option: `--one-to-one`, `attribution: one-to-one`, `oneToOne`. */
export type QueueNameOf = (option: string) => string;

/** An option a queue's coordinator refuses: a usage error that knows which, for a config's position. */
export class NotOnQueueError extends UsageError {
  readonly option: QueueRefusable;

  constructor(option: QueueRefusable, message: string) {
    super(message);
    this.name = 'NotOnQueueError';
    this.option = option;
  }
}

/** The workers' own options, as `manifold worker --queue` takes each (docs/queue.md). */
const WORKERS_OWN: Partial<Record<QueueRefusable, string>> = {
  command: '',
  workers: '-j N ',
  perBlock: '--per-block ',
  oneToOne: '--one-to-one ',
  protocol: '--protocol manifold ',
  shell: '--shell ',
  okStatus: '--ok-status LIST ',
};

/** Why each option cannot be a queue's coordinator's. */
const REASONS: { options: readonly QueueRefusable[]; why: (option: QueueRefusable) => string }[] = [
  {
    options: Object.keys(WORKERS_OWN) as QueueRefusable[],
    why: (option) =>
      `it is the workers' (manifold worker --queue URL ${WORKERS_OWN[option]}-- COMMAND, docs/queue.md)`,
  },
  {
    options: ['env'],
    why: () => "its workers' commands run in the environment of manifold worker, on their machines",
  },
  {
    options: ['threads', 'threadHeap'],
    why: () => "threads run in this process, and a queue's blocks run on its workers' machines",
  },
  {
    options: ['dispatch'],
    why: () => "a queue's blocks go to whichever of its workers pulls them first",
  },
  {
    options: ['hosts', 'hostsFile'],
    why: () =>
      "a queue's workers are the machines that run manifold worker --queue, wherever they are",
  },
  {
    // A worker's --tag tags its processes' stderr only: pointing at it for the output misleads.
    options: ['tag', 'tagString'],
    why: () => "a queue job's output is not tagged (a worker's --tag tags its processes' stderr)",
  },
  {
    // A queue's blocks are its messages, cut to fit the server's max_payload: not by count.
    options: ['records', 'groupBy'],
    why: () => "a queue's blocks are cut by size, to fit its messages",
  },
  {
    options: ['cat', 'fifo'],
    why: () => 'its workers take each block on stdin, on their machines',
  },
  {
    options: ['delay'],
    why: () => 'its workers start blocks as they take them, on their machines',
  },
  {
    options: ['tmpdir'],
    why: () => 'its workers take their blocks on stdin, on their machines, with their own TMPDIR',
  },
  {
    options: ['nice'],
    why: () =>
      "its workers' processes run on their machines, at the niceness of manifold worker there",
  },
];

/** The options refused whatever their value, for faces that gather what was given. */
export const NOT_ON_QUEUE: readonly QueueRefusable[] = [
  ...REASONS.flatMap(({ options }) => options),
  'merge',
  'block',
];

/**
 * The first option given (`settings`, by the library's names) that a queue's coordinator
 * refuses, as an error naming it as `name` spells it; null when none is. One table, which the
 * command line, configs and the library read alike, so that the three faces refuse the same
 * options in the same words, and send the user only to options that exist (a queue's workers
 * take no `-j`, and their output is not tagged).
 */
export function notOnQueue(
  settings: Partial<Record<QueueRefusable, unknown>>,
  name: QueueNameOf,
): NotOnQueueError | null {
  const queue = name('queue');
  for (const { options, why } of REASONS) {
    for (const option of options) {
      if (settings[option] !== undefined)
        return new NotOnQueueError(option, `${name(option)} is not for ${queue}: ${why(option)}`);
    }
  }
  if (settings.merge === 'sorted')
    return new NotOnQueueError(
      'merge',
      `${name('merge')} sorted is not for ${queue}: use ready or ordered`,
    );
  // A negative block counts blocks a worker, and a queue's workers are not known here.
  const count = negativeBlock(settings.block);
  if (count !== undefined)
    return new NotOnQueueError(
      'block',
      `${name('block')} ${count} is not for ${queue}: it divides the input among workers, and a queue's are not known in advance; give a size`,
    );
  return null;
}
