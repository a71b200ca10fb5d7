import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Both ends of a kernel pipe, as file descriptors of this process. */
export interface KernelPipe {
  read: number;
  write: number;
}

/**
 * Opens real kernel pipes. Node has no pipe(2), and the 'pipe' it gives children is a socket
 * pair, where a writer whose reader went away gets ECONNRESET and prints it instead of ending
 * quietly by SIGPIPE as in a shell. So: one `mkfifo` for all the pipes at once, each FIFO opened
 * at both ends in blocking mode and unlinked at once. Nothing is left on disk, even if manifold
 * is killed, and the children see ordinary pipes.
 */
export function openPipes(count: number): KernelPipe[] {
  if (count === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'manifold-'));
  try {
    const paths = Array.from({ length: count }, (_, i) => join(dir, `p${i}`));
    execFileSync('mkfifo', ['-m', '600', ...paths]);
    const opened: number[] = [];
    try {
      return paths.map((path) => {
        // Opening a FIFO blocks until the other end is open: a non-blocking read end first lets
        // the write end open at once; then the read end is opened again, blocking, for the child.
        const probe = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
        opened.push(probe);
        const write = openSync(path, constants.O_WRONLY);
        opened.push(write);
        const read = openSync(path, constants.O_RDONLY);
        opened.push(read);
        closeSync(opened.splice(opened.indexOf(probe), 1)[0]!);
        return { read, write };
      });
    } catch (error) {
      // Out of descriptors halfway: none of the pipes is anyone's yet.
      closeAll(opened);
      throw error;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Closes descriptors this process no longer needs (the children hold their own copies). */
export function closeAll(fds: number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
  }
}
