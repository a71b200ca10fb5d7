import { commandFor } from '../command.js';
import { checkWorkerDescriptors, THREAD_DESCRIPTORS } from '../limits.js';
import type { SlotSpec, TransportEvents, TransportFactory, WorkerKind } from '../transport.js';
import { resolveThreadModule, type ThreadModule } from './module.js';
import { bootedWaiting } from './preboot.js';
import { ThreadTransport } from './transport.js';

/** The transport of one slot: a fresh thread per instance, each loading the slot's module. */
class ThreadSlot implements TransportFactory {
  readonly #spec: SlotSpec;
  readonly #module: ThreadModule;

  constructor(spec: SlotSpec) {
    this.#spec = spec;
    // A thread takes many blocks: of parallel's replacement strings, its slot's {%} alone.
    this.#module = resolveThreadModule(commandFor(spec.command, { slot: spec.slot }));
  }

  open(events: TransportEvents): ThreadTransport {
    return new ThreadTransport(this.#spec, this.#module, events);
  }
}

/**
 * Workers as threads of manifold's own process, each running an SDK filter's module (`--threads`):
 * blocks are transferred to them, not copied through pipes.
 */
export const threadKind: WorkerKind = {
  forSlot: (spec) => new ThreadSlot(spec),
  loadsFilters: true,
  // Refused before any starts, as processes are: a thread past the open-file limit failed with
  // Node's own `Error: EMFILE: too many open files, open '.../package.json'`, exit 1.
  check: (workers) => checkWorkerDescriptors(workers, false, THREAD_DESCRIPTORS, bootedWaiting()),
};
