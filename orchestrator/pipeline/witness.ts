import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { statFields } from '../workers/proc-stat.js';
import type { RunningNode } from './node.js';
import { holdReader, isReaderGone } from './stderr-gone.js';

/**
 * A read end of the pipe a command stage writes to, held by manifold until the node reading it
 * has ended. While it is held the kernel gives the writer no SIGPIPE for that pipe; so a writer
 * that died of SIGPIPE before manifold let go died of another pipe of its own (a child it wrote
 * to, say) while the stage after it still read: its output was cut short, and that is a failure,
 * where `yes` in `yes | head -1`, killed once head has gone, is not. (Should the reader close
 * its input and run on, the writer waits for its end rather than dying at once.) Where it cannot
 * be opened (no /proc), every such SIGPIPE is forgiven, as before.
 */
export class ReaderWitness {
  #fd: number | null = null;
  #state: 'unheld' | 'held' | 'in-time' | 'late' = 'unheld';

  /** `read`: the pipe's read end, still this process's (before its reader's copy is closed). */
  constructor(read: number) {
    try {
      this.#fd = openSync(`/proc/self/fd/${read}`, constants.O_RDONLY | constants.O_NONBLOCK);
      this.#state = 'held';
    } catch {
      // No /proc: nothing is held, nothing can be told.
    }
  }

  /** Lets go once `reader` has ended, noting whether `writer` (a command) still ran then. */
  watch(writer: RunningNode, reader: RunningNode): void {
    const fd = this.#fd;
    if (fd === null) return;
    void reader.ended.then(() => {
      const pid = writer.pids[0];
      this.#state = pid !== undefined && isRunning(pid) ? 'in-time' : 'late';
      this.#fd = null;
      closeSync(fd);
    });
  }

  /** Lets go at once: its reader never started (the run was refused as it was wired). */
  release(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  /** Whether it held the pipe, and so can tell where a SIGPIPE came from. */
  get held(): boolean {
    return this.#state !== 'unheld';
  }

  /** Whether the writer's SIGPIPE may have come from this pipe, its reader gone first. */
  get excuses(): boolean {
    return this.#state === 'unheld' || this.#state === 'in-time';
  }
}

/** The kernel's PF_EXITING: set as a process begins to exit, before its files are closed. */
const PF_EXITING = 0x4;

/**
 * Whether a process is alive: not exiting, not a zombie waiting to be reaped, nor gone. A
 * process killed by SIGPIPE closes its stdout while still running in the kernel's exit path,
 * before it is a zombie: its reader may see the end and exit, and manifold look, in between.
 */
function isRunning(pid: number): boolean {
  const fields = statFields(pid);
  if (fields === null) return false;
  const state = fields[0];
  return state !== 'Z' && state !== 'X' && (Number(fields[6]) & PF_EXITING) === 0;
}

/**
 * The reader of the run's output, outside manifold (a shell's pipe behind stdout or `3>&1`, a
 * named pipe's): asked with poll(2) once every stage has ended, whether it has gone. A copy of
 * the write end is held until then, so that the reader sees no end of its input, and cannot go,
 * before it is asked. A socket, which cannot be opened anew, has its copy held by a perl that
 * asks when told (`holdReader`): without it, the last stage's SIGPIPE, its reader gone, would
 * be said to be from another pipe, `while manifold's output still had a reader`, exit 1, where
 * a pipe's reader gone is exit 141, as a shell's. The library's output, read by manifold
 * itself, says so itself (plumbing.ts).
 */
export class OutputWitness {
  #fd: number | null = null;
  #held: ReturnType<typeof holdReader> = null;
  readonly #own: boolean;

  /** `fd`: the descriptor the last stage writes to, still this process's. */
  constructor(fd: number) {
    // 0 to 2 stay open for the whole run; others are closed once the last stage has its copy.
    this.#own = fd > 2;
    if (!this.#own) {
      this.#fd = fd;
      return;
    }
    try {
      if (fstatSync(fd).isSocket()) this.#held = holdReader(fd);
      else this.#fd = openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch {
      // No /proc, a pipe with no reader now: nothing can be told.
    }
  }

  /** Whether the reader has gone; false where it cannot be told (its writer's SIGPIPE a failure). */
  async gone(): Promise<boolean> {
    if (this.#held !== null) return this.#held.gone();
    return this.#fd !== null && (await isReaderGone(this.#fd));
  }

  /** Lets the copy go: the reader may see its input's end. */
  release(): void {
    this.#held?.release();
    this.#held = null;
    if (this.#own && this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
