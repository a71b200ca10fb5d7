import { close, open, write } from 'node:fs';
import { describeError, errnoText, quoteName } from '../../filters/errors.js';
import { BlockFifoTransport } from './block-fifo.js';
import { type NamedBlockArgs, NamedBlockTransport } from './block-named.js';
import type { RelaySpec } from './relay.js';
import type { InstanceBlock, SlotSpec, TransportEvents, TransportFactory } from './transport.js';

/** How an instance is given its block by name: a file (--cat) or a named pipe (--fifo). */
export type BlockFileMode = 'cat' | 'fifo';

/**
 * The transport of a slot whose instances take their block by a name they are given for `{}`,
 * as GNU parallel's `--pipe --cat` and `--pipe --fifo`: under `cat` each instance's bytes are
 * written to a private file in $TMPDIR and the instance of `inner` started once its file is
 * whole; under `fifo` they go into a named pipe the instance reads (`block-fifo.ts`). The file
 * or pipe is removed as the instance ends, however it ends.
 */
export function blockFileSlot(
  inner: TransportFactory,
  spec: SlotSpec,
  mode: BlockFileMode,
  dir?: string,
): TransportFactory {
  const openRelayed = inner.openRelayed;
  const Kind = mode === 'cat' ? BlockFileTransport : BlockFifoTransport;
  return {
    open: (events, block) => new Kind(spec, events, block, (e, b) => inner.open(e, b), dir),
    ...(openRelayed === undefined
      ? {}
      : {
          openRelayed: (events: TransportEvents, relay: RelaySpec, block?: InstanceBlock) =>
            new Kind(spec, events, block, (e, b) => openRelayed.call(inner, e, relay, b), dir),
        }),
    ...(inner.processIds === undefined ? {} : { processIds: () => inner.processIds!() }),
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
  };
}

/** One instance: its block written to its file, then the instance that reads it. */
class BlockFileTransport extends NamedBlockTransport {
  /** The file being written, until it is whole (or failed). */
  #fd: number | null = null;
  /** Writes in order, each after the one before. */
  #writing: Promise<void>;
  #unsent = 0;
  #failure: string | null = null;

  constructor(...args: NamedBlockArgs) {
    super(...args);
    this.#writing = new Promise((resolve) => {
      // Created by this process alone (wx), readable by its user alone.
      open(this.path, 'wx', 0o600, (error, fd) => {
        if (error === null) this.#fd = fd;
        else this.#fail(error);
        resolve();
      });
    });
  }

  get unsent(): number {
    return this.#unsent + (this.inner?.unsent ?? 0);
  }

  send(buffers: readonly Buffer[], done?: (error?: Error | null) => void): void {
    let bytes = 0;
    for (const buffer of buffers) bytes += buffer.length;
    this.#unsent += bytes;
    this.#writing = this.#writing.then(async () => {
      for (const buffer of buffers) await this.#writeAll(buffer);
      this.#unsent -= bytes;
      done?.();
    });
  }

  closeInput(): void {
    this.#writing = this.#writing.then(() => this.#start());
  }

  /** The file whole, its instance starts with its path; or the instance ends without one. */
  #start(): void {
    this.#closeFile();
    if (this.ended) return;
    if (this.stopped || this.#failure !== null) this.endWithout(this.#failure);
    else this.startInner();
  }

  async #writeAll(buffer: Buffer): Promise<void> {
    for (let at = 0; at < buffer.length; ) {
      const fd = this.#fd;
      if (fd === null || this.stopped) return;
      try {
        at += await new Promise<number>((resolve, reject) =>
          write(fd, buffer, at, buffer.length - at, null, (error, written) =>
            error === null ? resolve(written) : reject(error),
          ),
        );
      } catch (error) {
        this.#fail(error);
        return;
      }
    }
  }

  #fail(error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === undefined ? describeError(error) : errnoText(code);
    this.#failure ??= `cannot write its block's file ${quoteName(this.path)}: ${why}`;
    this.#closeFile();
  }

  #closeFile(): void {
    const fd = this.#fd;
    this.#fd = null;
    if (fd !== null) close(fd, () => {});
  }

  protected release(): void {
    this.#closeFile();
  }

  // Not started yet: it ends once what is being written has settled.
  protected stopUnstarted(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.#writing = this.#writing.then(() => this.#start());
  }
}
