import type {
  InstanceBlock,
  SlotSpec,
  StopReason,
  Transport,
  TransportEvents,
  TransportOutcome,
} from '../transport.js';
import { type ProcessEnd, type StderrMode, spawnWorker, type WorkerProcess } from './spawn.js';

/** How an instance's process is started: Node's spawn, or the process starter (`started.ts`). */
export type Launch = (
  command: SlotSpec['command'],
  stderr: StderrMode,
  output: number | undefined,
  env: NodeJS.ProcessEnv,
) => WorkerProcess;

/**
 * One worker process: its stdin takes the bytes, its stdout gives the output, its stderr goes
 * to manifold's (prefixed with the worker's number under --tag). It leads its own process
 * group, so stopping it stops what it started.
 */
export class ProcessTransport implements Transport {
  readonly #child: WorkerProcess;
  readonly #spec: SlotSpec;
  #stopped = false;

  /**
   * `env`: the slot's environment (`slotEnvironment`), made once per slot; `block`: the block of
   * a per-block instance, named in its environment; `output`: a descriptor the process writes its
   * output into, instead of a pipe to manifold.
   */
  constructor(
    spec: SlotSpec,
    events: TransportEvents,
    env: NodeJS.ProcessEnv = slotEnvironment(spec),
    block?: InstanceBlock,
    output?: number,
    launch: Launch = spawnWorker,
  ) {
    this.#spec = spec;
    const { command, slot, tag } = spec;
    // A per-block worker knows its block, as GNU parallel's {#}: it can name its part file.
    const environment =
      block === undefined
        ? env
        : {
            ...env,
            MANIFOLD_BLOCK: String(block.number),
            MANIFOLD_FIRST_RECORD: String(block.firstRecord),
          };
    const to = spec.stderr;
    const stderr: StderrMode =
      tag || to !== undefined
        ? { kind: 'prefix', prefix: tag || to?.tagged ? `${slot}\t` : '', target: to?.stream }
        : { kind: 'inherit' };
    const child = launch(command, stderr, output, environment);
    this.#child = child;
    child.stdout?.on('data', events.output);
    void child.exited.then((end) => events.end(this.#outcome(end)));
  }

  /** The process id, or -1 for a process the system refused to start. */
  get pid(): number {
    return this.#child.pid;
  }

  get unsent(): number {
    return this.#child.stdin.writableLength;
  }

  send(buffers: readonly Buffer[], done?: (error?: Error | null) => void): void {
    const stdin = this.#child.stdin;
    const last = buffers.length - 1;
    stdin.cork();
    for (let i = 0; i <= last; i++) stdin.write(buffers[i], i === last ? done : undefined);
    stdin.uncork();
  }

  closeInput(): void {
    this.#child.stdin.end();
  }

  pause(): void {
    this.#child.stdout?.pause();
  }

  resume(): void {
    this.#child.stdout?.resume();
  }

  stop(reason: StopReason): void {
    this.#stopped = true;
    this.#child.signal(reason === 'kill' ? 'SIGKILL' : 'SIGTERM');
  }

  /**
   * `worker 2 (pid 4121: awk -F, ...)`: the pid of this process, the command as given; without
   * a pid where none was started (`worker 2 (awk -F, ...)`).
   */
  describe(): string {
    const command = this.#spec.command.argv.join(' ');
    const pid = this.#child.pid;
    return `worker ${this.#spec.slot} (${pid > 0 ? `pid ${pid}: ` : ''}${command})`;
  }

  /** The exit status and signal, as a person reads them; a shell's 127 and 126 named. */
  #outcome({ exitCode, signal, startError, lost }: ProcessEnd): TransportOutcome {
    if (startError !== undefined) return { kind: 'cannot-start', reason: startError };
    const pid = this.#child.pid;
    const details = pid > 0 ? { pid, exitCode, signal } : undefined;
    const base = details === undefined ? {} : { details };
    if (this.#stopped) return { kind: 'stopped', ...base };
    if (lost !== undefined) {
      return { kind: 'failed', reason: `was killed, as ${lost}`, retryable: true, ...base };
    }
    if (signal !== null) {
      return { kind: 'failed', reason: `was killed by ${signal}`, retryable: true, ...base };
    }
    const reason = `exited with status ${exitCode}`;
    if (exitCode === 0) return { kind: 'ok', reason, ...base };
    if (exitCode === 127 || exitCode === 126) {
      const why = exitCode === 127 ? 'command not found' : 'not executable';
      return {
        kind: 'failed',
        reason: `${reason} (${why})`,
        retryable: true,
        notFound: true,
        ...base,
      };
    }
    return { kind: 'failed', reason, retryable: true, status: exitCode ?? undefined, ...base };
  }
}

/**
 * The environment of a slot's processes: manifold's, the command's, and the slot's place, as GNU
 * parallel's {%} ($PARALLEL_JOBSLOT) (a worker of a sharded job opens its own shard, names its
 * own files). Made once per slot: copying process.env costs most of a millisecond, and per-block
 * workers start a process per block.
 */
export function slotEnvironment(spec: SlotSpec): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...spec.command.env,
    MANIFOLD_WORKER: String(spec.slot),
    MANIFOLD_WORKERS: String(spec.workers),
    MANIFOLD_SLOT: String(spec.slot),
  };
}
