import { PerBlockWorker } from '../workers/per-block.js';
import { PersistentWorker } from '../workers/persistent.js';
import type { StderrMode } from '../workers/spawn.js';
import type { Worker, WorkerListener } from '../workers/types.js';
import { type Collector, type Emit, ReadyCollector, type Room } from './collect.js';
import type { FanOptions } from './options.js';
import { OrderedCollector } from './ordered.js';
import { SortedCollector } from './sorted.js';

/** A worker for slot `slot`, of the kind the attribution asks for. */
export function createWorker(options: FanOptions, slot: number, listener: WorkerListener): Worker {
  const { attribution, outputFraming: framing, tag, blockSize } = options;
  // Each worker knows its place, as GNU parallel's $PARALLEL_JOBSLOT: a worker of a sharded job
  // opens its own shard, names its own files.
  const command = {
    ...options.command,
    env: {
      ...options.command.env,
      MANIFOLD_WORKER: String(slot),
      MANIFOLD_WORKERS: String(options.workers),
    },
  };
  const to = options.workerStderr;
  const stderr: StderrMode =
    tag || to !== undefined
      ? { kind: 'prefix', prefix: tag || to?.tagged ? `${slot}\t` : '', target: to?.stream }
      : { kind: 'inherit' };
  if (attribution === 'per-block') return new PerBlockWorker({ slot, command, stderr, listener });
  return new PersistentWorker({
    slot,
    command,
    stderr,
    attribution,
    framing,
    maxBacklog: blockSize,
    listener,
  });
}

/** The collector of the merge mode asked for. */
export function createCollector(
  options: FanOptions,
  workers: Worker[],
  emit: Emit,
  room: Room,
): Collector {
  switch (options.merge) {
    case 'ready':
      return new ReadyCollector(options, emit);
    case 'ordered':
      return new OrderedCollector(options, emit);
    case 'sorted':
      return new SortedCollector(options, workers, emit, room);
  }
}
