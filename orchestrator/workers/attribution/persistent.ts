import type { Framing } from '../../../filters/index.js';
import type { NameOf } from '../../options/fan.js';
import type { Block } from '../block.js';
import { BlockQueue, type ReadonlyInFlight } from '../block-queue.js';
import type { InputHeader } from '../header.js';
import type { RelaySpec } from '../relay.js';
import { sendSource } from '../source.js';
import { ABANDON_SEQ, type TermSeq } from '../termseq.js';
import type {
  StopReason,
  Transport,
  TransportEvents,
  TransportFactory,
  TransportOutcome,
} from '../transport.js';
import { abandonInstance } from '../transport.js';
import type { Attribution, Worker, WorkerListener } from '../types.js';
import { blockParts } from './framed.js';
import { OneToOneOutput } from './one-to-one.js';
import { endedAs, workerOutcome } from './outcome.js';
import { PauseReasons } from './pause.js';
import { notSpoken, ProtocolOutput, protocolBroken } from './protocol-output.js';

export interface PersistentOptions {
  slot: number;
  transport: TransportFactory;
  attribution: Exclude<Attribution, 'per-block'>;
  /** The framing of the worker's output, to count its records (one-to-one). */
  framing: Framing;
  /** Bytes waiting for the worker's stdin past which it is not ready for another block. */
  maxBacklog: number;
  listener: WorkerListener;
  /** Exit statuses that are not failures (--ok-status). */
  okStatus: readonly number[];
  /** Under the protocol, its instances greet first (`SlotSpec.greets`). */
  greets?: boolean;
  /** Given before each block, or once before the first without attribution (--header). */
  header: InputHeader;
  /** How its messages name options: manifold fan's flags unless said (a config's keys). */
  optionName?: NameOf;
  /** A descriptor the worker writes its output into, unread by manifold (`TransportFactory.openWithOutput`). */
  output?: number;
  /** Its output written to manifold's stdout by its kind's helper (`TransportFactory.openRelayed`). */
  relay?: RelaySpec;
}

/**
 * One long-lived instance of a transport that takes block after block. Its output is passed on
 * as it comes (`none`), cut by counting records (`one-to-one`), or read as protocol messages.
 * The instance is opened with the first block it is given, as GNU parallel starts no job
 * without data: a slot given none runs nothing (no process, thread or session), writes
 * nothing, and ends well at the input's end; one started again after a failure waits for its
 * next block likewise. Until then it is ready, with nothing in hand. Where the kind's helper
 * takes the input itself (`RelaySpec.takesInput`), the instance is asked for now and the
 * helper starts it with the first piece it gives it, the same rule on its side (the process
 * starter's `t`); one given none ends as never started, nothing failed.
 */
export class PersistentWorker implements Worker {
  readonly slot: number;
  readonly #options: PersistentOptions;
  /** The running instance; null before its first block (or the first after a restart). */
  #transport: Transport | null = null;
  #inFlight = new BlockQueue();
  #ended = false;
  #inputEnded = false;
  #counted: OneToOneOutput | null = null;
  #messages: ProtocolOutput | null = null;
  /** Why manifold ended the instance as failed (a timeout), or null. */
  #abandoned: string | null = null;
  /** The instance does not speak the protocol it must (`notSpoken`): the run cannot go on. */
  #misfit = false;
  /** Without attribution, the header goes once per instance, before its first block. */
  #headerSent = false;
  readonly #pauses = new PauseReasons();

  constructor(options: PersistentOptions) {
    this.slot = options.slot;
    this.#options = options;
    // The helper that takes the input (`takesInput`) decides when its instance starts.
    if (options.relay?.takesInput === true) this.#start();
  }

  /**
   * What the worker has yet to do, to rank workers: blocks tied to their output are known to be
   * done when their output is, so all of their bytes count until then. Otherwise only what is
   * not yet written shows (the socket's own buffer hides some hundreds of KiB more).
   */
  get backlog(): number {
    if (this.#options.attribution === 'none') return this.#transport?.unsent ?? 0;
    return this.#inFlight.bytes;
  }

  /**
   * Whether to give it a block now: while its input is not backed up. Not by blocks in flight:
   * a worker that buffers its output (awk into a pipe) writes it only when more input comes,
   * and holding input back from it would wait forever.
   */
  get ready(): boolean {
    const unsent = this.#transport?.unsent ?? 0;
    return !this.#ended && !this.#inputEnded && unsent < this.#options.maxBacklog;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Blocks given and not yet finished. */
  get inFlight(): ReadonlyInFlight {
    return this.#inFlight;
  }

  send(block: Block): void {
    const transport = this.#transport ?? this.#start();
    if (this.#options.attribution !== 'none') this.#inFlight.push(block);
    this.#counted?.given();
    const { release } = block;
    // Unattributed, a block is never sent again: its memory is free once the transport took it.
    // Kept for a retry, it is free too if it can be read again from its file (`reread`).
    const done =
      release === undefined || (this.#options.attribution !== 'none' && block.reread === undefined)
        ? this.#written
        : (error?: Error | null) => {
            release();
            this.#written(error);
          };
    const { source } = block;
    if (source === undefined) {
      transport.send(this.#framed(block), done);
      return;
    }
    // A block left in its file: what goes before its bytes (a header, a message's), then them.
    const before = this.#framed(block);
    if (before.length > 0) transport.send(before);
    sendSource(transport, source, block.bytes, () => transport === this.#transport, done);
  }

  /**
   * A block has been taken by the transport (into the pipe, for a process). Readiness is
   * measured against `maxBacklog`, while a stream's 'drain' comes only after a write refused at
   * its own mark (16 KiB): with smaller blocks no write is ever refused, so the worker must say
   * it is ready as each send completes. One function for every block, made once.
   */
  readonly #written = (error?: Error | null): void => {
    if (error == null && this.ready) this.#options.listener.onReady(this);
  };

  /** The bytes a block is sent as (`blockParts`): the header once, or before each block. */
  #framed(block: Block): Buffer[] {
    const { attribution, header } = this.#options;
    const withHeader = header.records > 0 && (attribution !== 'none' || !this.#headerSent);
    this.#headerSent = true;
    return blockParts(block, attribution, header, withHeader);
  }

  end(): void {
    this.#inputEnded = true;
    if (this.#transport !== null) this.#transport.closeInput();
    else if (!this.#ended) this.#endUnstarted();
  }

  pause(reason: string): void {
    if (!this.#pauses.add(reason)) return;
    this.#transport?.pause();
    this.#options.listener.onPaused?.(this, true);
  }

  resume(reason: string): void {
    if (!this.#pauses.remove(reason)) return;
    this.#transport?.resume();
    this.#options.listener.onPaused?.(this, false);
  }

  stop(reason: StopReason): void {
    if (this.#ended) return;
    if (this.#transport !== null) this.#transport.stop(reason);
    else this.end();
  }

  abandon(reason: string, seq: TermSeq): void {
    if (this.#ended || this.#transport === null || this.#abandoned !== null) return;
    this.#abandoned = reason;
    abandonInstance(this.#transport, () => this.#transport, seq);
  }

  /** Ended with no instance ever opened since its (re)start: nothing ran, nothing failed. */
  #endUnstarted(): void {
    this.#ended = true;
    this.#options.listener.onExit(this, { kind: 'ok' }, []);
  }

  processIds(): number[] {
    return this.#options.transport.processIds?.() ?? [];
  }

  outputMaker(): string | undefined {
    return this.#options.transport.outputMaker?.();
  }

  /**
   * Makes the slot take blocks again after its instance failed: a fresh one is opened with the
   * next block it is given.
   */
  restart(): void {
    this.#ended = false;
    this.#inputEnded = false;
    this.#inFlight = new BlockQueue();
    this.#transport = null;
    if (this.#options.relay?.takesInput === true) this.#start();
  }

  #start(): Transport {
    const { attribution, framing } = this.#options;
    const factory = this.#options.transport;
    const events: TransportEvents = {
      output: (chunk: Buffer) => this.#onData(chunk),
      end: (end) => this.#onEnd(transport, end),
      outputFailed: (failure) => this.#options.listener.onOutputFailed?.(this, failure),
      inputGiven: (given) => this.#options.listener.onInputGiven?.(this, given),
    };
    const { output, relay } = this.#options;
    const transport =
      relay !== undefined
        ? factory.openRelayed!(events, relay)
        : output === undefined
          ? factory.open(events)
          : factory.openWithOutput!(events, output);
    this.#transport = transport;
    this.#abandoned = null;
    this.#misfit = false;
    this.#headerSent = false;
    this.#counted =
      attribution === 'one-to-one'
        ? new OneToOneOutput(
            framing,
            this,
            () => this.#inFlight,
            this.#options.listener,
            this.#options.header,
            () => transport.describe(),
          )
        : null;
    this.#messages =
      attribution === 'protocol'
        ? new ProtocolOutput(
            this,
            () => this.#inFlight,
            this.#options.listener,
            (greeted, reason) => {
              const name = this.#options.optionName;
              this.#misfit = !greeted;
              const why = greeted ? protocolBroken(name) : notSpoken('wrote other output', name);
              this.abandon(reason ?? why, ABANDON_SEQ);
            },
            () => transport.greeted?.(),
            this.#options.greets === true,
          )
        : null;
    if (this.#pauses.paused) transport.pause();
    return transport;
  }

  #onEnd(transport: Transport, transportEnd: TransportOutcome): void {
    if (transport !== this.#transport) return;
    // Output that ends inside a protocol message, from an instance that ended well, was not the
    // protocol: a crash cuts one short, and says so itself.
    if (transportEnd.kind === 'ok' && this.#messages?.midMessage)
      this.#abandoned ??= protocolBroken(this.#options.optionName);
    // One that ends on its own before its greeting is no SDK filter: `cat` refusing --protocol.
    if (
      this.#messages?.greeted === false &&
      this.#abandoned === null &&
      (transportEnd.kind === 'ok' || (transportEnd.kind === 'failed' && !transportEnd.notFound))
    ) {
      this.#misfit = true;
      this.#abandoned = notSpoken(transportEnd.reason, this.#options.optionName);
    }
    const { okStatus } = this.#options;
    const end = endedAs(transportEnd, this.#abandoned, okStatus, this.#misfit);
    if (end.kind === 'ok') this.#counted?.endedWell();
    this.#ended = true;
    const unfinished = this.#inFlight.toArray();
    this.#inFlight = new BlockQueue();
    this.#options.listener.onExit(
      this,
      workerOutcome(end, transport, unfinished.length > 0, this.#messages),
      unfinished,
    );
  }

  #onData(chunk: Buffer): void {
    const listener = this.#options.listener;
    if (this.#messages !== null) {
      this.#messages.push(chunk);
    } else if (this.#counted === null) {
      listener.onOutput(this, chunk);
    } else {
      this.#counted.push(chunk);
    }
  }
}
