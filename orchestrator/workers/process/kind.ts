import type {
  InstanceBlock,
  SlotSpec,
  TransportEvents,
  TransportFactory,
  WorkerKind,
} from '../transport.js';
import { checkWorkerDescriptors } from './limits.js';
import { spawnWorker } from './spawn.js';
import { Spawner } from './spawner.js';
import { environmentChanges, startWorker } from './started.js';
import { type Launch, ProcessTransport, slotEnvironment } from './transport.js';

/** What a block adds to its slot's environment (`ProcessTransport`). */
const BLOCK_VARIABLES = ['MANIFOLD_BLOCK', 'MANIFOLD_FIRST_RECORD'];

/**
 * The transport of one slot: a process per instance, each one's pid kept for /proc and --stats.
 * Per-block instances (a process per block) are started by a process starter of the slot's own
 * (`spawner.ts`), made at the first and ended with the slot; where none can run (neither
 * Debian's python3 nor perl, not Linux), by Node's spawn, as the others are.
 */
class ProcessSlot implements TransportFactory {
  readonly #spec: SlotSpec;
  readonly #pids: number[] = [];
  readonly #env: NodeJS.ProcessEnv;
  #spawner: Spawner | null | undefined;
  #changes: ReturnType<typeof environmentChanges> | null = null;

  constructor(spec: SlotSpec) {
    this.#spec = spec;
    this.#env = slotEnvironment(spec);
  }

  open(events: TransportEvents, block?: InstanceBlock): ProcessTransport {
    const launch = block === undefined ? spawnWorker : this.#launcher();
    const transport = new ProcessTransport(this.#spec, events, this.#env, block, undefined, launch);
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

  close(): void {
    this.#spawner?.close();
    this.#spawner = undefined;
  }

  #launcher(): Launch {
    if (this.#spawner === undefined || (this.#spawner !== null && !this.#spawner.usable)) {
      this.#spawner = Spawner.start();
      this.#changes = this.#spawner && environmentChanges(this.#spawner.base, this.#env);
    }
    const spawner = this.#spawner;
    const changes = this.#changes;
    if (spawner === null || changes === null) return spawnWorker;
    return (command, stderr, output, env) => {
      const set = [...changes.set];
      for (const name of BLOCK_VARIABLES) if (env[name] !== undefined) set.push([name, env[name]!]);
      const onPid = (pid: number) => this.#pids.push(pid);
      return (
        startWorker(spawner, command, stderr, { set, unset: changes.unset }, onPid) ??
        spawnWorker(command, stderr, output, env)
      );
    };
  }
}

/** Workers as local processes, the command run by each: manifold's own kind. */
export const processKind: WorkerKind = {
  check: checkWorkerDescriptors,
  forSlot: (spec) => new ProcessSlot(spec),
};
