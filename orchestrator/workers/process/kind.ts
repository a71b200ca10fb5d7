import type {
  InstanceBlock,
  SlotSpec,
  TransportEvents,
  TransportFactory,
  WorkerKind,
} from '../transport.js';
import { checkWorkerDescriptors } from './limits.js';
import { ProcessTransport, slotEnvironment } from './transport.js';

/** The transport of one slot: a process per instance, each one's pid kept for /proc and --stats. */
class ProcessSlot implements TransportFactory {
  readonly #spec: SlotSpec;
  readonly #pids: number[] = [];
  readonly #env: NodeJS.ProcessEnv;

  constructor(spec: SlotSpec) {
    this.#spec = spec;
    this.#env = slotEnvironment(spec);
  }

  open(events: TransportEvents, block?: InstanceBlock): ProcessTransport {
    const transport = new ProcessTransport(this.#spec, events, this.#env, block);
    if (transport.pid > 0) this.#pids.push(transport.pid);
    return transport;
  }

  openWithOutput(events: TransportEvents, output: number): ProcessTransport {
    const transport = new ProcessTransport(this.#spec, events, this.#env, undefined, output);
    if (transport.pid > 0) this.#pids.push(transport.pid);
    return transport;
  }

  processIds(): number[] {
    return this.#pids;
  }
}

/** Workers as local processes, the command run by each: manifold's own kind. */
export const processKind: WorkerKind = {
  check: checkWorkerDescriptors,
  forSlot: (spec) => new ProcessSlot(spec),
};
