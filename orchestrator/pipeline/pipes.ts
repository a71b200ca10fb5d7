import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitEnd } from '../workers/proc-stat.js';

/** Both ends of a kernel pipe, as file descriptors of this process. */
export interface KernelPipe {
  read: number;
  write: number;
}

/**
 * A process that makes `count` anonymous pipes, then sleeps holding them: its parent prints the
 * sleeper's pid and each pipe's read end's number, and exits. Perl, part of every Debian
 * (perl-base), starts in a few milliseconds. The sleeper closes its standard streams, so that
 * `execFileSync` sees them end when its parent exits, and is killed once its pipes are opened;
 * should manifold die first, it ends on its own a minute later.
 */
const PIPE_MAKER = `
my @ends;
for (1 .. $ARGV[0]) {
  pipe(my $r, my $w) or die "pipe: $!";
  # F_SETPIPE_SZ, where a size is asked: a pipe past the user's limit keeps its own.
  fcntl($w, 1031, $ARGV[1]) if $ARGV[1];
  push @ends, [$r, $w];
}
my $pid = fork // die "fork: $!";
if ($pid == 0) { close STDIN; close STDOUT; close STDERR; sleep 60; exit 0; }
print join(" ", $pid, map { fileno($_->[0]) } @ends), "\n";
`;

/** How long the pipe maker's sleeper is given to end once killed (a busy machine's moment). */
const SLEEPER_END_MS = 2000;

/**
 * Opens real kernel pipes. Node has no pipe(2), and the 'pipe' it gives children is a socket
 * pair, where a writer whose reader went away gets ECONNRESET and prints it instead of ending
 * quietly by SIGPIPE as in a shell. So the pipes are made by a helper (PIPE_MAKER) and opened
 * here through /proc from the process holding them, at both ends, which is then killed: the
 * children get the anonymous pipes a shell would give them. They must be anonymous, not named:
 * a program that opens its input again by name (`cat /dev/stdin`, `sort -m /dev/fd/3`) after
 * the last writer has gone waits forever on a FIFO for a writer, where a pipe gives it what is
 * left and then its end. Without perl or /proc, FIFOs (`mkfifo`) are the fallback. `size`: the
 * bytes each anonymous pipe holds, where the system lets it (a shell's 64 KiB when 0).
 */
export function openPipes(count: number, size = 0): KernelPipe[] {
  if (count === 0) return [];
  return anonymousPipes(count, size) ?? namedPipes(count);
}

/** Anonymous pipes from PIPE_MAKER, or null where it cannot run. */
function anonymousPipes(count: number, size: number): KernelPipe[] | null {
  if (process.platform !== 'linux') return null;
  let words: number[];
  try {
    const out = execFileSync('perl', ['-e', PIPE_MAKER, String(count), String(size)], {
      encoding: 'latin1',
      stdio: ['ignore', 'pipe', 'ignore'],
      // Nothing of manifold's: the sleeper is killed at once, but no test token, say, is on it.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    words = out.trim().split(' ').map(Number);
  } catch {
    return null;
  }
  const [pid, ...reads] = words;
  if (pid === undefined || !(pid > 0) || reads.length !== count) return null;
  const opened: number[] = [];
  try {
    return reads.map((fd) => {
      const end = `/proc/${pid}/fd/${fd}`;
      const read = openSync(end, constants.O_RDONLY);
      opened.push(read);
      const write = openSync(end, constants.O_WRONLY);
      opened.push(write);
      return { read, write };
    });
  } catch {
    // Out of descriptors, or no /proc: none of the pipes is anyone's yet.
    closeAll(opened);
    return null;
  } finally {
    endHelper(pid);
  }
}

/**
 * Kills the pipe maker's sleeper and waits for it to end (at most SLEEPER_END_MS): a process
 * killed ends only when it next runs, and a manifold that exits meanwhile would leave it behind
 * with its working folder, manifold's, for a minute.
 */
export function endHelper(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // Gone already.
  }
  awaitEnd(pid, SLEEPER_END_MS);
}

/**
 * FIFOs: one `mkfifo` for all the pipes at once, each FIFO opened at both ends in blocking mode
 * and unlinked at once. Nothing is left on disk, even if manifold is killed.
 */
function namedPipes(count: number): KernelPipe[] {
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
