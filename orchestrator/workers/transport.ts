import type { Writable } from 'node:stream';
import type { NameOf } from '../options/fan.js';
import type { BlockSource } from './block.js';
import type { CommandSpec } from './command.js';
import type { InputGiven, OutputFailure, RelaySpec, TakingInput } from './relay.js';
import { runTermSeq, type TermSeq } from './termseq.js';

/**
 * How manifold stops a running instance: `graceful` asks it to end (a process gets SIGTERM),
 * `kill` ends it now (SIGKILL), for one that did not end when asked; `signal` sends a process
 * that signal (a step of `--termseq`), as `graceful` does for kinds that run no process.
 */
export type StopReason = 'graceful' | 'kill' | { signal: NodeJS.Signals };

/**
 * Ends an instance given up as failed (`--timeout`) as `seq` says, while it is `current()`
 * still: by default as parallel ends a job past its `--timeout` (SIGTERM first: it may clean up).
 */
export function abandonInstance(
  transport: Transport,
  current: () => Transport | null,
  seq: TermSeq,
): void {
  runTermSeq(
    seq,
    (reason) => transport.stop(reason),
    () => current() === transport,
  );
}

/**
 * What a transport knows of an instance's end beyond its outcome, for --stats: a process's id,
 * or a thread's.
 */
export interface EndDetails {
  pid?: number;
  thread?: number;
  /** The host it ran on, for kinds that run elsewhere (its `pid` is the host's). */
  host?: string;
  exitCode: number | null;
  signal: string | null;
}

/**
 * How one instance of a transport ended, as a person would say it:
 * - `ok`: it ended well (`reason` says how, for a message should blocks be left unanswered);
 * - `failed`: it ended badly, `reason` says how (`exited with status 3`, `was killed by
 *   SIGSEGV`); `retryable` when trying its blocks again may help; `notFound` when what it runs
 *   does not exist or cannot be run, which makes the run's status 127;
 * - `stopped`: manifold stopped it (halt, shutdown), whatever it then did;
 * - `cannot-start`: it never ran, and `reason` says why (out of descriptors or processes): the
 *   run cannot go on.
 */
export type TransportOutcome =
  | { kind: 'ok'; reason: string; details?: EndDetails }
  | {
      kind: 'failed';
      reason: string;
      retryable: boolean;
      notFound?: boolean;
      /** What it runs cannot serve this fan at all (`WorkerOutcome`). */
      misfit?: boolean;
      /** The exit status it ended with, for kinds that have one: --ok-status may accept it. */
      status?: number;
      details?: EndDetails;
    }
  | { kind: 'stopped'; details?: EndDetails }
  /** `details`, for kinds that run elsewhere: the host that refused it. */
  | { kind: 'cannot-start'; reason: string; details?: EndDetails };

/**
 * An instance that ended with a status --ok-status accepts (grep's 1, "no match") ended well:
 * its blocks are done if it answered them, and nothing is retried for it. (No instance is
 * started without input, so none is excused for having had none: `PersistentWorker`.) Here, by
 * the seam, for the attribution layer and for a kind that acts on its own instances' ends.
 */
export function acceptStatus(end: TransportOutcome, okStatus: readonly number[]): TransportOutcome {
  if (end.kind !== 'failed' || end.status === undefined) return end;
  if (!okStatus.includes(end.status)) return end;
  return { kind: 'ok', reason: end.reason, ...(end.details && { details: end.details }) };
}

/** What an instance reports. Never called during `open`, so the opener can keep the instance. */
export interface TransportEvents {
  /** Output bytes, in order. */
  output(chunk: Buffer): void;
  /** The instance has ended; called once, after its last output. */
  end(end: TransportOutcome): void;
  /** Its output, written to manifold's stdout by its side (`openRelayed`), failed. */
  outputFailed?(failure: OutputFailure): void;
  /** What it was given of the input its side took (`RelaySpec.takesInput`); before its end. */
  inputGiven?(given: InputGiven): void;
}

/**
 * One running instance of a worker: a local process today; a thread, a remote command or a
 * queue's job later. It carries bytes both ways and knows nothing of blocks: which output
 * belongs to which block is the attribution's business (`attribution/`).
 */
export interface Transport {
  /**
   * Sends bytes, in order; `done` once the last of them has been taken, or failed to be. After
   * `done` the transport must not read `buffers` again: their memory may be reused.
   */
  send(buffers: readonly Buffer[], done?: (error?: Error | null) => void): void;
  /**
   * Sends a block left in its file (`Block.source`), in order with `send`, by a way that does not
   * bring its bytes through manifold (a process's pipe filled by the kernel); `done` as `send`'s.
   * Transports without it are sent such blocks a piece at a time (`../source.ts`).
   */
  sendSource?(source: BlockSource, bytes: number, done: (error?: Error | null) => void): void;
  /** Bytes sent and not yet taken by the instance: it is not given more past a bound. */
  readonly unsent: number;
  /** No more bytes: closes the instance's input. */
  closeInput(): void;
  /** Stops reading the instance's output, and reads it again. */
  pause(): void;
  resume(): void;
  /**
   * Stops the instance and everything it started. Its output is no longer wanted, and its end is
   * told even when it was paused, so that a fan stopped while its reader was slow or gone ends.
   */
  stop(reason: StopReason): void;
  /** The instance for messages: `worker 2 (pid 4121: awk -F, ...)`. */
  describe(): string;
  /**
   * It greeted, under --protocol manifold (`SlotSpec.greets`): its stderr, held till then so
   * that a command that is no SDK filter (`cat`) fails in one line, not with -j usages, goes on.
   */
  greeted?(): void;
  /**
   * Its filter has a flush, where its transport hears the greeting (a thread's): what the blocks
   * it finished gave it is written only as it ends.
   */
  readonly flushes?: boolean;
}

/** What a transport is told of the slot it serves. */
export interface SlotSpec {
  /**
   * Its instances greet before anything else (--protocol manifold): their stderr is held until
   * they do (`Transport.greeted`).
   */
  greets?: boolean;
  /** 1-based worker number (`MANIFOLD_WORKER`, --tag, messages). */
  slot: number;
  /** How many slots the fan has (`MANIFOLD_WORKERS`). */
  workers: number;
  command: CommandSpec;
  /** --tag: each line of the worker's diagnostics (stderr) is prefixed with its tag and a TAB. */
  tag: boolean;
  /** The tag, `{%}` and `{#}` to be replaced (`tagFor`): --tagstring's. @default '{%}' */
  tagString?: string;
  /** Where the worker's diagnostics go, when not to manifold's own stderr (the library's). */
  stderr?: WorkerStderr;
  /**
   * The exit statuses that are no failure (--ok-status), for kinds that stop what a failed
   * instance left running: [0] unless given.
   */
  okStatus?: readonly number[];
  /** The most heap an instance may take, in bytes, for kinds that can cap it (threads). */
  heapLimit?: number;
  /** Where a kind that runs slots on other machines places them (ssh: the connected hosts). */
  remote?: RemoteSlots;
  /** How its messages name options: manifold fan's flags unless said (a config's keys). */
  optionName?: NameOf;
  /**
   * The usage errors of the fan's workers shown so far, one set for all its slots: a kind that
   * tells a usage error from other diagnostics (threads) shows each distinct one once.
   */
  usageErrors?: Set<string>;
}

/**
 * Slots that run elsewhere, connected before the fan starts (`workers/ssh/pool.ts`): opens an
 * instance of a slot where the slot runs now.
 */
export interface RemoteSlots {
  open(spec: SlotSpec, events: TransportEvents, block?: InstanceBlock): Transport;
  /** The name of the host `slot` runs on now, for --stats and --progress per host. */
  hostOf(slot: number): string;
}

/** A stream for workers' stderr, line by line, each line after the worker's number if `tagged`. */
export interface WorkerStderr {
  stream: Writable;
  tagged: boolean;
  /** Tagged by the worker's number whatever --tagstring says: the library's tail names workers by it. */
  bySlot?: boolean;
}

/**
 * The one block an instance is opened for, when it takes a single block (per-block workers): a
 * process gets it as `MANIFOLD_BLOCK` and `MANIFOLD_FIRST_RECORD`, to name its part files.
 */
export interface InstanceBlock {
  /** The block's 1-based number, as messages show it. */
  number: number;
  /** The 1-based number of its first record in the input. */
  firstRecord: number;
  /**
   * The block is in this file (--cat) or named pipe (--fifo): the command gets its path for
   * `{}` (`commandFor`), and the instance's stdin is empty. Kinds of local processes only.
   */
  file?: string;
}

/** The transport of one slot: opens its instances, one after another (a fresh one to retry). */
export interface TransportFactory {
  open(events: TransportEvents, block?: InstanceBlock): Transport;
  /**
   * The process ids of every instance opened so far, newest last, for transports of local
   * processes: the pipeline's /proc sampler and --stats read them. Absent elsewhere.
   */
  processIds?(): number[];
  /**
   * Who makes the slot's output now, for messages, where that is not the slot here (a slot on
   * a host: `host h1: worker 2`). Absent for kinds that run here.
   */
  outputMaker?(): string;
  /**
   * Opens an instance whose output goes straight into `output`, a descriptor of this process
   * (a kernel pipe's write end), instead of through `events.output`: another process (`sort
   * -m`) reads it there, with no copy through manifold. Only kinds whose instances are local
   * processes can; others leave it out, and manifold reads their output itself.
   */
  openWithOutput?(events: TransportEvents, output: number): Transport;
  /**
   * Opens an instance whose output the kind's own helper writes to manifold's stdout, whole
   * records cut as `relay` says, never two instances' records mixed, and nothing through
   * manifold (the process kind's Python starter). Only where `WorkerKind.relaysOutput` said so.
   * With `block` (a per-block instance under an ordered relay), its output goes out in the
   * order of the blocks' numbers.
   */
  openRelayed?(events: TransportEvents, relay: RelaySpec, block?: InstanceBlock): Transport;
  /**
   * The slot is done: no instance will be opened again unless it restarts. A factory that keeps
   * a helper for its instances (the process kind's starter of per-block workers) ends it.
   */
  close?(): void;
}

/** A kind of worker, as the registry (`registry.ts`) names it. */
export interface WorkerKind {
  /**
   * Refuses, before anything starts, a fan this kind cannot run (throws a UsageError). `held`:
   * descriptors open already that the workers take for their own (a sorted merge's pipes).
   */
  check?(workers: number, stderrPiped: boolean, held: number): void;
  /** The transport of one slot. */
  forSlot(spec: SlotSpec): TransportFactory;
  /**
   * Its instances are SDK filters, known to be as they load (threads): under the protocol they
   * do not greet (`SlotSpec.greets`).
   */
  loadsFilters?: boolean;
  /**
   * Whether the slots of a fan starting now send blocks left in a file (`Block.source`) into
   * their workers that stay by a way that does not bring the bytes through manifold
   * (`Transport.sendSource`): only then are such workers' blocks left in the file.
   */
  sendsFromFiles?(): boolean;
  /**
   * Whether the slots of a fan starting now can have their workers' output written to
   * manifold's stdout by the kind's own helper (`TransportFactory.openRelayed`): all of them,
   * or none.
   */
  relaysOutput?(): boolean;
  /**
   * Hands the kind's own helper manifold's input, the pipe open as `fd`, for relayed instances
   * opened with `RelaySpec.takesInput`: it cuts it into whole records ended by `delimiter` and
   * writes them to the instances itself, at most `cap` bytes at once, readiness deciding which.
   * Null when the kind cannot (then no instance may be opened that way).
   */
  takeInput?(fd: number, delimiter: Buffer, maxRecord: number, cap: number): TakingInput | null;
  /**
   * Resolves once the kind's helpers that every slot is done with have ended (the process
   * kind's starter): the library settles only then, with nothing of manifold's left running.
   */
  helpersEnded?(): Promise<void>;
}
