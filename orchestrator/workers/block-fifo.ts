import { spawn } from 'node:child_process';
import { close, constants, open } from 'node:fs';
import { Socket } from 'node:net';
import { quoteName } from '../../filters/errors.js';
import { type NamedBlockArgs, NamedBlockTransport } from './block-named.js';
import { describeStartError, isOutOfResources } from './limits.js';

const { O_WRONLY, O_NONBLOCK } = constants;

/** How often the named pipe is tried for a reader: from 1 ms, doubling up to 50 ms. */
const FIRST_TRY_MS = 1;
const LAST_TRY_MS = 50;

/** Bytes sent before the pipe had its reader, and what to call once they are written. */
interface Held {
  buffers: readonly Buffer[];
  done: ((error?: Error | null) => void) | undefined;
}

/**
 * One instance of a slot under --fifo, as GNU parallel's `--pipe --fifo`: a named pipe (0600)
 * in $TMPDIR, the instance started at once with its path for `{}`, and the block written into
 * the pipe once the instance opens it to read. An instance that ends without opening it ends
 * as its exit says, as one that never reads its stdin does: manifold never waits for a reader
 * (parallel's waits for ever). The pipe is removed as the instance ends, however it ends.
 *
 * Node cannot wait for a named pipe's reader without holding a thread of its pool (a blocking
 * open), which -j such waits would all take: it is tried without blocking (`O_NONBLOCK` fails
 * with ENXIO while there is no reader), at growing intervals, until it opens or the instance
 * ends.
 */
export class BlockFifoTransport extends NamedBlockTransport {
  /** The pipe's write end, once it has a reader. */
  #socket: Socket | null = null;
  readonly #held: Held[] = [];
  #heldBytes = 0;
  #closing = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(...args: NamedBlockArgs) {
    super(...args);
    this.#makePipe();
  }

  /**
   * mkfifo makes the pipe (Node has no call for it), its stderr the one descriptor it costs
   * manifold while it runs (execFile's stdout pipe too ran -j 16 out of 64 descriptors, where
   * the count up front allowed it). Out of descriptors or processes, the instance cannot start.
   */
  #makePipe(): void {
    const child = spawn('mkfifo', ['-m', '600', '--', this.path], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    let failed: Error | null = null;
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      said += text.slice(0, 4096 - said.length);
    });
    child.on('error', (error) => {
      failed = error;
    });
    child.on('close', (code, signal) => {
      if (failed === null && code === 0) {
        this.#start();
        return;
      }
      if (failed !== null && isOutOfResources(failed)) {
        this.endUnstarted(describeStartError(failed));
        return;
      }
      const how =
        signal === null ? `mkfifo exited with status ${code}` : `mkfifo was killed by ${signal}`;
      const why = said.trim().split('\n')[0] || (failed as Error | null)?.message || how;
      this.endWithout(`cannot make its block's named pipe ${quoteName(this.path)}: ${why}`);
    });
  }

  get unsent(): number {
    return this.#heldBytes + (this.#socket?.writableLength ?? 0);
  }

  send(buffers: readonly Buffer[], done?: (error?: Error | null) => void): void {
    const socket = this.#socket;
    if (this.ended) done?.();
    else if (socket !== null) this.#write(socket, buffers, done);
    else this.#hold(buffers, done);
  }

  #hold(buffers: readonly Buffer[], done: ((error?: Error | null) => void) | undefined): void {
    this.#held.push({ buffers, done });
    for (const buffer of buffers) this.#heldBytes += buffer.length;
  }

  closeInput(): void {
    this.#closing = true;
    this.#socket?.end();
  }

  #start(): void {
    if (this.stopped || this.ended) {
      this.endWithout(null);
      return;
    }
    this.startInner();
    this.#tryOpen(FIRST_TRY_MS);
  }

  /** Opens the pipe for writing once the instance has opened it for reading. */
  #tryOpen(wait: number): void {
    this.#timer = null;
    if (this.ended) return;
    open(this.path, O_WRONLY | O_NONBLOCK, (error, fd) => {
      if (this.ended) {
        if (error === null) close(fd, () => {});
        return;
      }
      if (error === null) this.#opened(fd);
      // ENXIO: no reader yet. Anything else (the pipe removed under it): the instance's end
      // says what became of its block.
      else if (error.code !== 'ENXIO') this.#dropHeld();
      else this.#timer = setTimeout(() => this.#tryOpen(Math.min(wait * 2, LAST_TRY_MS)), wait);
    });
  }

  #opened(fd: number): void {
    const socket = new Socket({ fd, readable: false, writable: true });
    // A reader that goes before the end (head -c 10 {}) is not an error: its exit says.
    socket.on('error', () => {});
    this.#socket = socket;
    for (const { buffers, done } of this.#held.splice(0)) this.#write(socket, buffers, done);
    this.#heldBytes = 0;
    if (this.#closing) socket.end();
  }

  #write(socket: Socket, buffers: readonly Buffer[], done?: (error?: Error | null) => void): void {
    const last = buffers.length - 1;
    if (last < 0) {
      done?.();
      return;
    }
    for (let i = 0; i <= last; i++) {
      socket.write(buffers[i]!, i === last ? () => done?.() : undefined);
    }
  }

  /** Bytes never written: their memory goes. */
  #dropHeld(): void {
    for (const { done } of this.#held.splice(0)) done?.();
    this.#heldBytes = 0;
  }

  /** The instance has ended: nothing more is written. */
  protected release(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#socket?.destroy();
    this.#dropHeld();
  }

  // Not started yet (its pipe being made): it ends once the pipe is there.
  protected stopUnstarted(): void {
    this.stopped = true;
  }
}
