import { createWorkers as createWorkersOf } from '../workers/create.js';
import type { InputHeader } from '../workers/header.js';
import type { Worker, WorkerListener } from '../workers/types.js';
import { type Collector, type Emit, ReadyCollector, type Room } from './collect.js';
import { withHeader } from './header-output.js';
import type { FanOptions } from './options.js';
import { OrderedCollector } from './ordered.js';
import { SortedCollector } from './sorted.js';

/** The fan's workers, of the kind and attribution the options ask for. */
export function createWorkers(
  options: FanOptions,
  listener: WorkerListener,
  header: InputHeader,
): Worker[] {
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
      okStatus: options.okStatus ?? [0],
      header,
      ...(options.workerStderr === undefined ? {} : { stderr: options.workerStderr }),
      ...(options.threadHeap === undefined ? {} : { heapLimit: options.threadHeap }),
    },
    listener,
  );
}

/** The collector of the merge mode asked for (with --header's rule in front, under it). */
export function createCollector(
  options: FanOptions,
  workers: Worker[],
  emit: Emit,
  room: Room,
  header: InputHeader,
): Collector {
  const make = (out: Emit) => mergeOf(options, workers, out, room);
  return options.header ? withHeader(make, emit, header) : make(emit);
}

function mergeOf(options: FanOptions, workers: Worker[], emit: Emit, room: Room): Collector {
  switch (options.merge) {
    case 'ready':
      return new ReadyCollector(options, emit);
    case 'ordered':
      return new OrderedCollector(options, emit);
    case 'sorted':
      return new SortedCollector(options, workers, emit, room);
  }
}
