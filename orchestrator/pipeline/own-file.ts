import { closeSync, constants, fstatSync, openSync } from 'node:fs';

/**
 * A stage's stdout or stderr that is manifold's own (descriptor 1 or 2, `'inherit'` for stderr),
 * when it is a pipe, given to the stage as an open file of its own: a shared one shares
 * O_NONBLOCK too, which Node sets on manifold's stderr (and, under `2>&1`, the same file is its
 * stdout) to write it without blocking, so that a stage writing to a slow reader met EAGAIN and
 * died mid-line (`cat: write error: Resource temporarily unavailable`). Opened without
 * blocking (a pipe whose reader is gone is refused rather than waited on, and the stage then
 * shares manifold's, as before); Node's spawn makes a child's descriptors 0-2 blocking, which
 * now changes only the stage's own open file. A file, a terminal or a socket is shared as it is
 * (a file's offset must be shared; a socket cannot be opened by its /proc name).
 */
export class OwnFiles {
  readonly #opened: number[] = [];

  /** `value` for slot `fd` of a stage, or an open file of its own in its place. */
  of<T extends number | string>(value: T, fd: 1 | 2): T | number {
    const own = value === fd || (fd === 2 && value === 'inherit');
    if (!own) return value;
    try {
      if (!fstatSync(fd).isFIFO()) return value;
      const opened = openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_NONBLOCK);
      this.#opened.push(opened);
      return opened;
    } catch {
      return value;
    }
  }

  /** Closes manifold's copies, once the stage has been started with them. */
  close(): void {
    for (const fd of this.#opened.splice(0)) closeSync(fd);
  }
}
