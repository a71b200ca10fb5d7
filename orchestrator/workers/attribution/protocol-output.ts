import {
  FROM_WORKER_HEADER,
  GREETING,
  MAX_GREETING,
  MessageReader,
  readGreeting,
  TRAILING,
  understands,
} from '../../../filters/protocol.js';
import { flagOf, type NameOf } from '../../options/fan.js';
import type { BlockQueue } from '../block-queue.js';
import { otherVersion } from '../protocol-version.js';
import type { Worker, WorkerListener } from '../types.js';

/**
 * Why an instance whose output is not the protocol is failed: what it did, and the likely why;
 * the protocol named as `name` spells it (`--protocol manifold`, a config's `attribution: protocol`).
 */
export function protocolBroken(name: NameOf = flagOf): string {
  return `wrote output that is not manifold's block protocol (under ${name('protocol', 'manifold')} a filter's output must go through the SDK, not to stdout itself)`;
}

/**
 * Why an instance that ended, or wrote, before its greeting is failed: the command is no SDK
 * filter (`cat`), and no block will fare better on another of its instances.
 */
export function notSpoken(what: string, name: NameOf = flagOf): string {
  return `does not speak manifold's block protocol: it ${what} before its greeting (${name('protocol', 'manifold')} runs SDK filters, that call defineFilter(...).main(): run it without ${name('protocol')})`;
}

/**
 * A `--protocol manifold` instance's output: its greeting first (an SDK filter's, filters/
 * protocol.ts), then messages, each for a block it was given and has
 * not finished (filters/protocol.ts), or the trailing output after its last. Anything else is
 * bytes that are not the protocol (a filter that writes to stdout itself); `broken` is told at
 * the first wrong header, before its payload (whose length, read from those bytes, may be far
 * off), and the rest is not read: no output is dropped quietly, nor waited for.
 */
export class ProtocolOutput {
  readonly #reader: MessageReader;
  #greeted = false;
  /** Its greeting named a protocol this manifold does not speak: nothing more is read. */
  #refused = false;
  /** Its greeting said it has a flush (filters/protocol.ts). */
  #flush = false;
  /** Blocks it finished. */
  #done = 0;

  /** `inFlight`: the blocks given and not finished, in order; a finished one is taken out. */
  constructor(
    worker: Worker,
    inFlight: () => BlockQueue,
    listener: WorkerListener,
    /**
     * Told at the first wrong header: `greeted`, or before the greeting (no SDK filter); or at a
     * greeting of another protocol's version, with the reason (`otherVersion`).
     */
    broken: (greeted: boolean, reason?: string) => void,
    greeted: () => void,
    greets: boolean,
  ) {
    this.#greeted = !greets;
    const isOwn = (seq: number) => seq === TRAILING || inFlight().find(seq) !== undefined;
    const accepts = (seq: number, length: number) => {
      if (this.#greeted) return isOwn(seq);
      // A greeting's header may be asked about twice: once whole, and with its payload.
      return seq === GREETING && length <= MAX_GREETING;
    };
    const greet = (payload: Buffer) => {
      const greeting = readGreeting(payload);
      if (greeting === null) {
        this.#refused = true;
        broken(false);
      } else if (!understands(greeting)) {
        this.#refused = true;
        broken(false, otherVersion(greeting));
      } else {
        this.#greeted = true;
        this.#flush = greeting.flush;
        greeted();
      }
    };
    this.#reader = new MessageReader(
      FROM_WORKER_HEADER,
      (header, payload) => {
        if (this.#refused) return;
        const seq = header.readUInt32BE(0);
        if (seq === GREETING) {
          if (!this.#greeted) greet(payload);
          return;
        }
        if (seq === TRAILING) {
          if (payload.length > 0) listener.onTrailingOutput(worker, payload);
          return;
        }
        const blocks = inFlight();
        const block = blocks.find(seq)!;
        if (payload.length > 0) {
          listener.onBlockOutput(worker, block, payload);
        } else {
          blocks.remove(block);
          this.#done++;
          listener.onBlockDone(worker, block);
        }
      },
      (seq, length) => {
        if (this.#refused) return false;
        if (accepts(seq, length)) return true;
        broken(this.#greeted);
        return false;
      },
    );
  }

  push(chunk: Buffer): void {
    this.#reader.push(chunk);
  }

  /** Whether the instance has greeted (or needs not): it speaks the protocol. */
  get greeted(): boolean {
    return this.#greeted;
  }

  /**
   * The blocks it finished, where it has a flush (its greeting said so, or `flush`: a thread's):
   * its flush was to write what they gave it, which a fresh instance cannot. 0 otherwise.
   */
  heldFor(flush: boolean): number {
    return this.#flush || flush ? this.#done : 0;
  }

  /** True when the output ended inside a message: cut short, or not the protocol. */
  get midMessage(): boolean {
    return this.#reader.pendingBytes > 0;
  }
}
