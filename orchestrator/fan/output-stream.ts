import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import { changeMaxListeners } from './listener-limit.js';

/**
 * Where the fan's output is written: a descriptor (output.ts) or a Node stream (here). Past its
 * mark `full` tells producers to pause until 'drain'; 'closed' says the reader went away,
 * 'error' any other failure.
 */
export interface Sink extends EventEmitter {
  readonly full: boolean;
  readonly closed: boolean;
  write(parts: Buffer[]): void;
  /** The end of the output: the reader sees it; `abandon`: stopped by a signal, drop what waits. */
  close(abandon?: boolean): void;
  /** Resolves when everything written so far is out (or the output closed). */
  finish(): Promise<void>;
}

/**
 * Waits while `sink` is full: until it drains, closes or fails, or `stopped` aborts. Every
 * listener goes with each wake-up: a slow reader stalls it again and again, and one left per
 * stall would pile up (Node warns past 10). Resolves to whether it was not stopped.
 */
export async function roomIn(sink: Sink, stopped: AbortSignal): Promise<boolean> {
  while (!stopped.aborted && sink.full && !sink.closed) {
    await new Promise<void>((resolve) => {
      const events = ['drain', 'closed', 'error'] as const;
      const done = () => {
        for (const event of events) sink.off(event, done);
        stopped.removeEventListener('abort', done);
        resolve();
      };
      for (const event of events) sink.on(event, done);
      stopped.addEventListener('abort', done);
    });
  }
  return !stopped.aborted;
}

/**
 * A caller's Writable ended by someone else while a call still wrote to it (another call
 * sharing it ended it at its own end, or its owner did): what was still to come had gone
 * nowhere, the call resolving as though written. It fails the call instead.
 */
export function endedEarly(): Error {
  return new Error(
    "it was ended before all of this call's output was written (by another call writing to it, or by its owner): give each call a Writable of its own",
  );
}

/** The least a stream buffers before the fan pauses its workers: a few writes' worth. */
const MIN_HIGH_WATER = 1024 * 1024;

/**
 * The output as a Node Writable, for the library: a file stream, a socket, the readable side of
 * `fan.stream`. The fan pauses while the stream holds more than its own mark or 1 MiB, whichever
 * is more, and goes on at its 'drain'. A stream destroyed before the end, or one that fails with
 * EPIPE, is a reader gone ('closed'), as a closed pipe is on the command line.
 */
export class WritableSink extends EventEmitter implements Sink {
  readonly #stream: Writable;
  readonly #highWater: number;
  #closed = false;
  /** This sink ended the stream (`close`): its finish is then the end, no failure. */
  #ending = false;
  readonly #listeners: [string, (...args: unknown[]) => void][];

  constructor(stream: Writable) {
    super();
    this.#stream = stream;
    this.#highWater = Math.max(stream.writableHighWaterMark, MIN_HIGH_WATER);
    this.#listeners = [
      ['drain', () => this.emit('drain')],
      [
        'error',
        (error) => {
          if (this.#closed) return;
          this.#closed = true;
          const { code } = error as NodeJS.ErrnoException;
          if (code === 'EPIPE' || code === 'ECONNRESET') this.emit('closed');
          else this.emit('error', error);
        },
      ],
      ['finish', () => this.#endedEarly()],
      [
        'close',
        () => {
          if (this.#closed || stream.writableFinished) return;
          this.#closed = true;
          this.emit('closed');
        },
      ],
    ];
    for (const [event, listener] of this.#listeners) stream.on(event, listener);
    // Fans that write to one stream at once (process.stdout, from a caller's many calls) each
    // listen to it: that is not a leak, and Node's warning past 10 would say it is.
    changeMaxListeners(stream, 1);
  }

  get full(): boolean {
    return this.#stream.writableLength >= this.#highWater;
  }

  get closed(): boolean {
    return this.#closed || this.#stream.destroyed;
  }

  write(parts: Buffer[]): void {
    if (this.#stream.writableEnded) this.#endedEarly();
    if (this.closed) return;
    this.#stream.cork();
    for (const part of parts) if (part.length > 0) this.#stream.write(part);
    this.#stream.uncork();
  }

  /**
   * Ends the stream, as `stream.pipeline` ends its destination; process.stdout and stderr are
   * not ended but let go, so that fan after fan can write to them without piling up listeners.
   */
  close(abandon = false): void {
    const stream = this.#stream;
    if (stream === process.stdout || stream === process.stderr) {
      for (const [event, listener] of this.#listeners) stream.off(event, listener);
      changeMaxListeners(stream, -1);
    } else if (abandon) {
      this.#ending = true;
      this.#closed = true;
      stream.destroy();
    } else if (!this.closed) {
      this.#ending = true;
      stream.end();
    }
  }

  /** Ended, not by this sink: a failure of the call's, once. */
  #endedEarly(): void {
    if (this.#ending || this.#closed) return;
    this.#closed = true;
    this.emit('error', endedEarly());
  }

  async finish(): Promise<void> {
    if (this.closed || this.#stream.writableLength === 0) return;
    await new Promise<void>((resolve) => {
      this.#stream.write(Buffer.alloc(0), () => resolve());
      this.once('closed', resolve);
      this.once('error', resolve);
    });
  }
}
