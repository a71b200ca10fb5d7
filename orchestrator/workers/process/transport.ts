import { constants } from 'node:os';
import type { BlockSource } from '../block.js';
import { commandFor, commandText, stderrTag } from '../command.js';
import { describeStartError, isOutOfResources } from '../limits.js';
import { pumpSource } from '../source.js';
import { signalOf } from '../termseq.js';
import type {
  InstanceBlock,
  SlotSpec,
  StopReason,
  Transport,
  TransportEvents,
} from '../transport.js';
import { stopLeftoversOfFailure } from './leftovers.js';
import { processOutcome } from './outcome.js';
import { slotEnvironment } from './slot-env.js';
import { type StderrMode, spawnWorker, type WorkerProcess } from './spawn.js';
import { endOf } from './stopped-end.js';

/** How an instance's process is started: Node's spawn, or the process starter (`started.ts`). */
export type Launch = (
  command: SlotSpec['command'],
  stderr: StderrMode,
  output: number | undefined,
  env: NodeJS.ProcessEnv,
) => WorkerProcess;

const { EPIPE, ENXIO } = constants.errno;
const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** What waits behind a block being sent from its file (`ProcessTransport.sendSource`). */
type Waiting =
  | {
      kind: 'write';
      buffers: readonly Buffer[];
      bytes: number;
      done: ((error?: Error | null) => void) | undefined;
    }
  | {
      kind: 'source';
      source: BlockSource;
      bytes: number;
      done: (error?: Error | null) => void;
    }
  | { kind: 'close'; bytes: 0 };

/**
 * One worker process: its stdin takes the bytes, its stdout gives the output, its stderr goes
 * to manifold's (prefixed with the worker's number under --tag). It leads its own process
 * group, so stopping it stops what it started.
 */
export class ProcessTransport implements Transport {
  readonly #child: WorkerProcess;
  readonly #spec: SlotSpec;
  #stopped = false;
  readonly #stopping = new AbortController(); // aborted with `#stopped`: stopped-end.ts
  /** Writes not yet taken by the pipe: a block from the file is sent only after them. */
  #writes = 0;
  /**
   * The bytes of the blocks the starter is sending from their file, oldest first: it sends them
   * in turn, and what is written after them waits for them.
   */
  readonly #feeding: number[] = [];
  /** The bytes of `#feeding`, summed as feeds start and end. */
  #feedingBytes = 0;
  /** What waits for the sends before it, in order; its bytes. */
  readonly #waiting: Waiting[] = [];
  #waitingBytes = 0;
  /** A block from its file is being read and written here (no starter sends it). */
  #pumping = false;

  /**
   * `env`: the slot's environment (`slotEnvironment`), made once per slot; `block`: a per-block
   * instance's, named in its environment; `output`: a descriptor it writes its output into.
   */
  constructor(
    spec: SlotSpec,
    events: TransportEvents,
    env: NodeJS.ProcessEnv = slotEnvironment(spec),
    block?: InstanceBlock,
    output?: number,
    launch: Launch = spawnWorker,
  ) {
    // Messages name the command as given (`wc -l {}`): the block's file is gone by then.
    this.#spec = spec;
    const file = block?.file;
    const { slot, tag } = spec;
    // GNU parallel's {%}, {#} and {} in its words: what its environment says, and its file.
    const command = commandFor(spec.command, {
      slot,
      ...(block !== undefined && { block: block.number }),
      ...(file !== undefined && { file }),
    });
    // A per-block worker knows its block, as GNU parallel's {#}: it can name its part file.
    const environment =
      block === undefined
        ? env
        : {
            ...env,
            MANIFOLD_BLOCK: String(block.number),
            // Counted for it where the command names it (fan/first-record.ts); 0: not counted.
            ...(block.firstRecord > 0 && { MANIFOLD_FIRST_RECORD: String(block.firstRecord) }),
          };
    const to = spec.stderr;
    // A protocol worker's stderr waits for its greeting: one that is no SDK filter says nothing.
    const held = spec.greets === true;
    const stderr: StderrMode =
      tag || to !== undefined || held
        ? {
            kind: 'prefix',
            prefix: stderrTag(spec, block?.number),
            target: to?.stream,
            held,
          }
        : { kind: 'inherit' };
    const child = launch(command, stderr, output, environment);
    this.#child = child;
    // Its block is in a file it names: its stdin is empty, as GNU parallel's --cat gives.
    if (file !== undefined) child.stdin.end();
    // Stopped, its output is no longer wanted (`stop`): what comes after is read and dropped.
    child.stdout?.on('data', (chunk: Buffer) => this.#stopped || events.output(chunk));
    void endOf(child, this.#stopping.signal).then((end) =>
      events.end(processOutcome(end, this.#child.pid, this.#stopped)),
    );
    stopLeftoversOfFailure(child, spec.okStatus ?? [0], () => this.#stopped);
  }

  greeted(): void {
    this.#child.openStderr();
  }

  /** The process id, or -1 for a process the system refused to start. */
  get pid(): number {
    return this.#child.pid;
  }

  /**
   * Hears its pid once its process runs: at once when Node started it, a moment later when the
   * process starter did (`pid` is -1 till then); never for a process that did not start.
   */
  whenRunning(listener: (pid: number) => void): void {
    const pid = this.#child.pid;
    if (pid > 0) listener(pid);
    else this.#child.onRunning?.(listener);
  }

  /**
   * Unwritten bytes, and blocks from their file not yet being sent: those waiting, and those the
   * starter has but the one it is sending (one block may wait there, so that its pipe never
   * waits for manifold between blocks).
   */
  get unsent(): number {
    const queued = this.#feedingBytes - (this.#feeding[0] ?? 0);
    return this.#child.stdin.writableLength + this.#waitingBytes + queued;
  }

  send(buffers: readonly Buffer[], done?: (error?: Error | null) => void): void {
    if (this.#feeding.length > 0 || this.#waiting.length > 0) {
      let bytes = 0;
      for (const buffer of buffers) bytes += buffer.length;
      this.#wait({ kind: 'write', buffers, bytes, done });
      return;
    }
    this.#write(buffers, done);
  }

  /**
   * A block left in its file: the Python starter fills the pipe from the file (`sendfile`), so
   * its bytes never pass through manifold; where the process was not started by it, read and
   * written a piece at a time. After what was sent before, before what is sent after.
   */
  sendSource(source: BlockSource, bytes: number, done: (error?: Error | null) => void): void {
    const step: Waiting = { kind: 'source', source, bytes, done };
    if (this.#writes > 0 || this.#pumping || this.#waiting.length > 0) this.#wait(step);
    else this.#source(step);
  }

  closeInput(): void {
    if (this.#feeding.length > 0 || this.#waiting.length > 0) {
      this.#wait({ kind: 'close', bytes: 0 });
    } else this.#child.stdin.end();
  }

  #write(buffers: readonly Buffer[], done?: (error?: Error | null) => void): void {
    const stdin = this.#child.stdin;
    const last = buffers.length - 1;
    this.#writes++;
    const written = (error?: Error | null) => {
      this.#writes--;
      // What waits goes on first: a worker told its block was taken finds the next one started.
      if (this.#writes === 0) this.#next();
      done?.(error);
    };
    stdin.cork();
    for (let i = 0; i <= last; i++) stdin.write(buffers[i], i === last ? written : undefined);
    stdin.uncork();
  }

  #wait(step: Waiting): void {
    this.#waiting.push(step);
    this.#waitingBytes += step.bytes;
  }

  /** Goes on with what waits, in order, as far as what is being sent allows. */
  #next(): void {
    while (this.#waiting.length > 0) {
      const step = this.#waiting[0]!;
      const blocked =
        step.kind === 'source' ? this.#writes > 0 || this.#pumping : this.#feeding.length > 0;
      if (blocked) return;
      this.#waiting.shift();
      this.#waitingBytes -= step.bytes;
      if (step.kind === 'write') this.#write(step.buffers, step.done);
      else if (step.kind === 'close') this.#child.stdin.end();
      else this.#source(step);
    }
  }

  #source(step: Extract<Waiting, { kind: 'source' }>): void {
    const { source, bytes, done } = step;
    const feed = this.#child.feed;
    if (feed === undefined) {
      this.#pump(source, bytes, done);
      return;
    }
    this.#feeding.push(bytes);
    this.#feedingBytes += bytes;
    const finish = (error?: Error) => {
      this.#feedingBytes -= this.#feeding.shift()!;
      this.#next();
      done(error);
    };
    if (!source.check()) {
      this.stop('kill');
      finish(new Error('the input file changed'));
      return;
    }
    feed(source.fd, source.position, bytes, (sent, errno) => {
      if (sent === bytes) return finish();
      // Nobody reads the pipe: the worker ended (head), and its exit says how.
      if (errno === EPIPE || errno === ENXIO) return finish();
      // The file ended before the block did (it shrank), or the starter could not send it: fails.
      if (errno === 0) source.check(true);
      else if (typeof errno !== 'number') source.failed('the process starter is gone');
      else {
        // Out of processes (the starter could not start the thread that sends it): words.
        const code = ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
        const system = isOutOfResources({ code });
        source.failed(system ? describeStartError({ code }) : code, system);
      }
      this.stop('kill');
      finish(new Error('the block could not be sent'));
    });
  }

  /** A block from its file read and written a piece at a time, as what is sent after waits. */
  #pump(source: BlockSource, bytes: number, done: (error?: Error | null) => void): void {
    this.#feeding.push(bytes);
    this.#feedingBytes += bytes;
    this.#pumping = true;
    const finish = (error?: Error) => {
      this.#feedingBytes -= this.#feeding.shift()!;
      this.#pumping = false;
      this.#next();
      done(error);
    };
    const going = () => !this.#stopped;
    const write = (buffer: Buffer, written: () => void) => this.#write([buffer], written);
    void pumpSource(write, source, 0, bytes, going).then(
      () => finish(),
      (error: Error) => {
        if (going()) this.stop('kill');
        finish(error);
      },
    );
  }

  resume(): void {
    this.#child.stdout?.resume();
  }

  stop(reason: StopReason): void {
    this.#stopped = true;
    this.#stopping.abort();
    this.#child.signal(signalOf(reason));
    // Read to its end: one paused for a slow reader (or one gone) was never heard to end.
    this.#child.stdout?.resume();
  }

  pause(): void {
    if (!this.#stopped) this.#child.stdout?.pause();
  }

  /** `worker 2 (pid 4121: awk -F, ...)`; without a pid where none was started. */
  describe(): string {
    const command = commandText(this.#spec.command);
    const pid = this.#child.pid;
    return `worker ${this.#spec.slot} (${pid > 0 ? `pid ${pid}: ` : ''}${command})`;
  }
}
