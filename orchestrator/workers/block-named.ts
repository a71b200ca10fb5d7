import { newBlockFile, removeBlockFile } from './block-files.js';
import { commandText } from './command.js';
import type {
  InstanceBlock,
  SlotSpec,
  StopReason,
  Transport,
  TransportEvents,
} from './transport.js';

/** Opens the instance of the slot's own transport, given its block's path for `{}`. */
export type Opener = (events: TransportEvents, block: InstanceBlock) => Transport;

/** A subclass's constructor's: the slot, its events, the block, the opener, the --tmpdir. */
export type NamedBlockArgs = ConstructorParameters<typeof NamedBlockTransport>;

/**
 * What --cat (`block-file.ts`) and --fifo (`block-fifo.ts`) share: one instance of a slot that
 * takes its block by a name in `dir` (--tmpdir; else $TMPDIR), started by the slot's own
 * transport with that name for `{}`, the name removed as the instance ends, however it ends
 * (its exit, a stop before it started, a failure to make the file or pipe). How the block's
 * bytes get there, and when the instance starts, is the subclass's.
 */
export abstract class NamedBlockTransport implements Transport {
  readonly #spec: SlotSpec;
  readonly #events: TransportEvents;
  readonly #block: InstanceBlock;
  readonly #openInner: Opener;
  /** The block's file or named pipe, made by the subclass. */
  protected readonly path: string;
  #inner: Transport | null = null;
  #paused = false;
  /** Stopped before its instance started. */
  protected stopped = false;
  /** Ended: nothing more is written, and the path is gone. */
  protected ended = false;

  constructor(
    spec: SlotSpec,
    events: TransportEvents,
    block: InstanceBlock | undefined,
    openInner: Opener,
    dir?: string,
  ) {
    this.#spec = spec;
    this.#events = events;
    this.#block = block ?? { number: 0, firstRecord: 0 };
    this.#openInner = openInner;
    this.path = newBlockFile(dir);
  }

  abstract get unsent(): number;
  abstract send(buffers: readonly Buffer[], done?: (error?: Error | null) => void): void;
  abstract closeInput(): void;

  /** Stops an instance not started yet: it ends once what it waits for has settled. */
  protected abstract stopUnstarted(): void;

  /** Lets go of what writes the block (timers, descriptors, held bytes) as the instance ends. */
  protected abstract release(): void;

  /** The started instance, if it has started. */
  protected get inner(): Transport | null {
    return this.#inner;
  }

  /** Starts the instance with the block's path; the path goes as the instance ends. */
  protected startInner(): void {
    const events: TransportEvents = {
      ...this.#events,
      end: (end) => {
        this.#finish();
        this.#events.end(end);
      },
    };
    const inner = this.#openInner(events, { ...this.#block, file: this.path });
    this.#inner = inner;
    if (this.#paused) inner.pause();
  }

  /** Ends an instance that never started: stopped (`failure` null), or failed so. */
  protected endWithout(failure: string | null): void {
    this.#finish();
    this.#events.end(
      failure === null
        ? { kind: 'stopped' }
        : { kind: 'failed', reason: failure, retryable: false },
    );
  }

  /** Ends before its instance could start: the system is out of what starting it takes. */
  protected endUnstarted(reason: string): void {
    this.#finish();
    this.#events.end({ kind: 'cannot-start', reason });
  }

  #finish(): void {
    this.ended = true;
    this.release();
    removeBlockFile(this.path);
  }

  pause(): void {
    this.#paused = true;
    this.#inner?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#inner?.resume();
  }

  stop(reason: StopReason): void {
    if (this.#inner === null) this.stopUnstarted();
    else this.#inner.stop(reason);
  }

  describe(): string {
    if (this.#inner !== null) return this.#inner.describe();
    return `worker ${this.#spec.slot} (${commandText(this.#spec.command)})`;
  }

  greeted(): void {
    this.#inner?.greeted?.();
  }
}
