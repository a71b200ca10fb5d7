import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';

/** What a branch's pipe may hold unwritten in memory before the rest goes to its spool. */
export const HIGH_WATER = 4 * 1024 * 1024;

/** How much of a spool is read back at a time. */
const READ_BACK = 1024 * 1024;

interface Spool {
  fd: number;
  path: string;
  written: number;
  read: number;
}

/**
 * One branch of a tee (`tee.ts`): its pipe, written while it keeps up, and a spool file for
 * what it cannot take yet. A branch may fall behind because its reader is slow, or because its
 * reader waits for another branch first (`paste {a} {b}` reads both in step; `diff` reads one
 * whole file first): then the tee must not wait for it, or the other branch would never get the
 * input it needs and both would wait for ever. So past `HIGH_WATER` in memory the rest of its
 * stream goes to a file, on disk, and is read back into its pipe as the pipe drains; in order,
 * since once a spool is begun everything goes through it until it is empty.
 */
export class TeeBranch {
  readonly socket: Socket;
  readonly #file: () => string;
  readonly #caughtUp: () => void;
  readonly #failed: () => void;
  #spool: Spool | null = null;
  #ending = false;
  /** Why its spool could not be read back, once it could not. */
  error: string | null = null;
  /** Bytes written to its pipe (not those waiting in memory or in its spool): for --stats. */
  written = 0;

  /**
   * `fd`: the branch's pipe; `file`: a fresh path for its spool; `caughtUp`: told when its pipe drains and it
   * takes writes straight to it again; `failed`: its pipe failed (its reader is gone).
   */
  constructor(fd: number, file: () => string, caughtUp: () => void, failed: () => void) {
    this.#file = file;
    this.#caughtUp = caughtUp;
    this.#failed = failed;
    this.socket = new Socket({ fd, readable: false, writable: true });
    this.socket.on('error', failed);
    this.socket.on('drain', () => {
      try {
        this.#readBack();
        if (this.keepingUp) this.#caughtUp();
      } catch (error) {
        this.error = `cannot read back a branch's spool: ${(error as Error).message}`;
        this.destroy();
        this.#failed();
      }
    });
  }

  /** Whether a write goes straight to its pipe (nothing spooled, the pipe keeping up). */
  get keepingUp(): boolean {
    return this.#spool === null && this.socket.writableLength <= HIGH_WATER;
  }

  /** Bytes waiting in its spool. */
  get spooled(): number {
    const spool = this.#spool;
    return spool === null ? 0 : spool.written - spool.read;
  }

  /** Writes `chunk` to its pipe, or to its spool; a spool that cannot be written throws. */
  write(chunk: Buffer): void {
    if (this.keepingUp) {
      this.#send(chunk);
      return;
    }
    this.#spool ??= this.#open();
    const spool = this.#spool;
    for (let at = 0; at < chunk.length; ) {
      at += writeSync(spool.fd, chunk, at, chunk.length - at, spool.written + at);
    }
    spool.written += chunk.length;
  }

  /** No more is coming: its pipe ends once its spool is read back. */
  end(): void {
    this.#ending = true;
    if (this.#spool === null) this.socket.end();
  }

  /** Gone (its reader, or the run): its pipe closed now, its spool removed. */
  destroy(): void {
    this.socket.destroy();
    this.#close();
  }

  /** Moves what its spool holds into its pipe, until the pipe is full or the spool empty. */
  #readBack(): void {
    const spool = this.#spool;
    if (spool === null || this.socket.destroyed) return;
    while (this.socket.writableLength <= HIGH_WATER) {
      const n = Math.min(READ_BACK, spool.written - spool.read);
      if (n === 0) {
        this.#close();
        if (this.#ending) this.socket.end();
        return;
      }
      const buffer = Buffer.allocUnsafeSlow(n);
      let got = 0;
      while (got < n) {
        const read = readSync(spool.fd, buffer, got, n - got, spool.read + got);
        // Cut short under it (by another process): what was spooled is lost, and said so.
        if (read === 0) throw new Error(`${spool.path} is shorter than what was written to it`);
        got += read;
      }
      spool.read += n;
      this.#send(buffer);
    }
  }

  /** Writes to its pipe, counted once the pipe has taken it. */
  #send(chunk: Buffer): void {
    this.socket.write(chunk, (error) => {
      if (error == null) this.written += chunk.length;
    });
  }

  #open(): Spool {
    const path = this.#file();
    const fd = openSync(path, 'wx+', 0o600);
    return { fd, path, written: 0, read: 0 };
  }

  #close(): void {
    const spool = this.#spool;
    if (spool === null) return;
    this.#spool = null;
    closeSync(spool.fd);
    try {
      unlinkSync(spool.path);
    } catch {
      // Its folder went first (the tee's end).
    }
  }
}

/** The spool file of branch `index` in `folder`, numbered for each spool begun. */
export function spoolPath(folder: string, index: number, count: number): string {
  return join(folder, `b${index + 1}-${count}`);
}
