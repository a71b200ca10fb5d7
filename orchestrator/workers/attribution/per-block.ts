import type { Block } from '../block.js';
import { inFlightOf, type ReadonlyInFlight } from '../block-queue.js';
import type { InputHeader } from '../header.js';
import type { RelaySpec } from '../relay.js';
import { sendSource } from '../source.js';
import type { TermSeq } from '../termseq.js';
import type {
  StopReason,
  Transport,
  TransportEvents,
  TransportFactory,
  TransportOutcome,
} from '../transport.js';
import { abandonInstance } from '../transport.js';
import type { Worker, WorkerListener } from '../types.js';
import { endedAs, workerOutcome } from './outcome.js';
import { PauseReasons } from './pause.js';

export interface PerBlockOptions {
  slot: number;
  transport: TransportFactory;
  listener: WorkerListener;
  /** Exit statuses that are not failures (--ok-status). */
  okStatus: readonly number[];
  /** Given before each block (--header). */
  header: InputHeader;
  /** Its kind's helper writes each block's output, in the blocks' order (`RelaySpec.ordered`). */
  relay?: RelaySpec;
}

/**
 * A slot that opens a fresh instance of its transport for each block, one block at a time, as
 * `parallel --pipe` does: everything the instance writes belongs to its block, and the
 * instance's end ends it.
 */
export class PerBlockWorker implements Worker {
  readonly slot: number;
  readonly #options: PerBlockOptions;
  #transport: Transport | null = null;
  #block: Block | null = null;
  #inputEnded = false;
  #ended = false;
  #stopped = false;
  /** Why manifold ended the running instance as failed (a timeout), or null. */
  #abandoned: string | null = null;
  readonly #pauses = new PauseReasons();

  constructor(options: PerBlockOptions) {
    this.slot = options.slot;
    this.#options = options;
  }

  get backlog(): number {
    return this.#block === null ? 0 : this.#block.bytes;
  }

  get ready(): boolean {
    return !this.#ended && !this.#inputEnded && this.#block === null;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get inFlight(): ReadonlyInFlight {
    return inFlightOf(this.#block === null ? [] : [this.#block]);
  }

  send(block: Block): void {
    const { listener, relay } = this.#options;
    const events: TransportEvents = {
      output: (chunk: Buffer) => listener.onBlockOutput(this, block, chunk),
      end: (end) => this.#onEnd(transport, block, end),
      outputFailed: (failure) => listener.onOutputFailed?.(this, failure, block),
    };
    const instance = { number: block.seq + 1, firstRecord: block.firstRecord };
    const factory = this.#options.transport;
    const transport =
      relay === undefined
        ? factory.open(events, instance)
        : factory.openRelayed!(events, relay, instance);
    this.#transport = transport;
    this.#block = block;
    this.#abandoned = null;
    if (this.#pauses.paused) transport.pause();
    if (block.source !== undefined) {
      const going = () => this.#transport === transport;
      sendSource(transport, block.source, block.bytes, going, (error) => {
        if (error == null && going()) transport.closeInput();
      });
      return;
    }
    const { header } = this.#options;
    // A block that can be read again from its file lets its memory go once taken.
    const { release } = block;
    const done = release === undefined || block.reread === undefined ? undefined : () => release();
    transport.send(header.records > 0 ? [...header.parts, ...block.parts] : block.parts, done);
    transport.closeInput();
  }

  #onEnd(transport: Transport, block: Block, transportEnd: TransportOutcome): void {
    const listener = this.#options.listener;
    const end = endedAs(transportEnd, this.#abandoned, this.#options.okStatus);
    this.#transport = null;
    this.#block = null;
    const failed = end.kind !== 'ok' || this.#stopped;
    // Being told the block is done may already start the next one in this slot.
    if (!failed) listener.onBlockDone(this, block);
    const idle = this.#block === null;
    if (idle && (this.#inputEnded || this.#stopped)) this.#finish();
    listener.onExit(this, workerOutcome(end, transport, false), failed ? [block] : []);
    if (idle && !this.#ended) listener.onReady(this);
  }

  end(): void {
    this.#inputEnded = true;
    if (this.#block === null && !this.#ended) {
      this.#finish();
      this.#options.listener.onExit(this, { kind: 'ok' }, []);
    }
  }

  #finish(): void {
    this.#ended = true;
    this.#options.transport.close?.();
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

  abandon(reason: string, seq: TermSeq): void {
    if (this.#transport === null || this.#abandoned !== null) return;
    this.#abandoned = reason;
    abandonInstance(this.#transport, () => this.#transport, seq);
  }

  restart(): void {
    this.#ended = false;
    this.#inputEnded = false;
    this.#stopped = false;
  }

  stop(reason: StopReason): void {
    this.#stopped = true;
    this.#inputEnded = true;
    if (this.#transport !== null) this.#transport.stop(reason);
    else if (!this.#ended) this.end();
  }

  processIds(): number[] {
    return this.#options.transport.processIds?.() ?? [];
  }

  outputMaker(): string | undefined {
    return this.#options.transport.outputMaker?.();
  }
}
