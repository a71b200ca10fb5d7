import { commandHoldsBytes } from '../command.js';
import { checkWorkerDescriptors } from '../limits.js';
import type { InputGiven, OutputFailure, RelaySpec, TakingInput } from '../relay.js';
import type {
  InstanceBlock,
  SlotSpec,
  TransportEvents,
  TransportFactory,
  WorkerKind,
} from '../transport.js';
import { slotEnvironment } from './slot-env.js';
import { spawnWorker } from './spawn.js';
import { Spawner } from './spawner.js';
import { environmentChanges, type Relayed, startWorker } from './started.js';
import { type Launch, ProcessTransport } from './transport.js';

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

  /** Its command has bytes that are not UTF-8: only a starter passes them (`spawnWorker`). */
  readonly #bytes: boolean;

  constructor(spec: SlotSpec) {
    this.#spec = spec;
    this.#env = slotEnvironment(spec);
    this.#bytes = commandHoldsBytes(spec.command);
  }

  open(events: TransportEvents, block?: InstanceBlock): ProcessTransport {
    const launch =
      block === undefined && !this.#piped() && !this.#bytes ? spawnWorker : this.#launcher();
    const transport = new ProcessTransport(this.#spec, events, this.#env, block, undefined, launch);
    if (transport.pid > 0) this.#pids.push(transport.pid);
    return transport;
  }

  openRelayed(events: TransportEvents, relay: RelaySpec, block?: InstanceBlock): ProcessTransport {
    const failed = (failure: OutputFailure) => events.outputFailed?.(failure);
    const given = (pieces: InputGiven) => events.inputGiven?.(pieces);
    const spec = block === undefined ? relay : { ...relay, block: block.number };
    const launch = this.#launcher({ spec, failed, given });
    const transport = new ProcessTransport(this.#spec, events, this.#env, block, undefined, launch);
    if (transport.pid > 0) this.#pids.push(transport.pid);
    return transport;
  }

  openWithOutput(events: TransportEvents, output: number): ProcessTransport {
    const launch = this.#piped() || this.#bytes ? this.#launcher() : spawnWorker;
    const transport = new ProcessTransport(
      this.#spec,
      events,
      this.#env,
      undefined,
      output,
      launch,
    );
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

  /**
   * Whether a worker that stays (takes block after block) is started by a process starter: when
   * one was started ahead for it (`manifold fan`), or the slot has one. Its stdin and stdout are
   * then kernel pipes of 1 MiB, its output read a pipeful at a time (`../reads.ts`); else Node
   * starts it, on socket pairs read 64 KiB at a time. A starter started for it now would hold up
   * its start by Python's (~40 ms), which only a big input pays back.
   */
  #piped(): boolean {
    const spawner = this.#spawner;
    return spawner === undefined ? Spawner.ready : spawner?.usable === true;
  }

  /** How its instances start; `relay`: the starter writes their output (`openRelayed`). */
  #launcher(relay?: Relayed): Launch {
    if (this.#spawner === undefined || (this.#spawner !== null && !this.#spawner.usable)) {
      this.#spawner?.close();
      this.#spawner = Spawner.take();
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
        startWorker(
          spawner,
          command,
          stderr,
          { set, unset: changes.unset },
          onPid,
          relay,
          output,
        ) ?? spawnWorker(command, stderr, output, env)
      );
    };
  }
}

/**
 * Sizes the pipe at `path` (`/proc/<manifold>/fd/0`) to 1 MiB through a process starter at hand
 * (Node has no `fcntl`), so that it is read a pipeful at a time; nothing where none is.
 */
export function sizePipe(path: string): void {
  Spawner.atHand()?.sizePipe(path);
}

/**
 * Whether the processes of a fan starting now have their pipes filled from a file by a process
 * starter (`ProcessTransport.sendSource`): when its workers that stay are started by one (one
 * is at hand, as `manifold fan` starts them ahead) and it is Python's.
 */
function processesFed(): boolean {
  return Spawner.atHand()?.feeds === true;
}

/**
 * Whether the workers of a fan starting now can have their output written to manifold's stdout
 * by the process starter (`ProcessSlot.openRelayed`): the Python starter started ahead, which
 * every slot shares, holds manifold's stdout.
 */
function processesRelay(): boolean {
  return Spawner.atHand()?.relays === true;
}

/**
 * Hands manifold's input pipe to the Python starter at hand (the one the relayed workers share),
 * which moves it into their pipes by `splice` (`Spawner.takeInput`); null where there is none.
 */
function processesTakeInput(
  fd: number,
  delimiter: Buffer,
  maxRecord: number,
  cap: number,
): TakingInput | null {
  const spawner = Spawner.atHand();
  return spawner?.feeds && spawner.relays ? spawner.takeInput(fd, delimiter, maxRecord, cap) : null;
}

/** Workers as local processes, the command run by each: manifold's own kind. */
export const processKind: WorkerKind = {
  check: (workers, prefixed, held) => checkWorkerDescriptors(workers, prefixed, undefined, 0, held),
  forSlot: (spec) => new ProcessSlot(spec),
  sendsFromFiles: processesFed,
  relaysOutput: processesRelay,
  takeInput: processesTakeInput,
  helpersEnded: () => Spawner.closed(),
};
