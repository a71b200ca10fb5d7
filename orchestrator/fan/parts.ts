import { createWorkers as createWorkersOf } from '../workers/create.js';
import type { Worker, WorkerListener } from '../workers/types.js';
import { type Collector, type Emit, ReadyCollector, type Room } from './collect.js';
import type { FanOptions } from './options.js';
import { OrderedCollector } from './ordered.js';
import { SortedCollector } from './sorted.js';

/** The fan's workers, of the kind and attribution the options ask for. */
export function createWorkers(options: FanOptions, listener: WorkerListener): Worker[] {
  const { kind, workers, command, tag, attribution, outputFraming: framing, blockSize } = options;
  return createWorkersOf(
    {
      kind,
      workers,
      command,
      tag,
      attribution,
      framing,
      maxBacklog: blockSize,
      ...(options.workerStderr === undefined ? {} : { stderr: options.workerStderr }),
      ...(options.threadHeap === undefined ? {} : { heapLimit: options.threadHeap }),
    },
    listener,
  );
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
