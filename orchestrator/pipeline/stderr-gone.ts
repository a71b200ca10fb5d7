import { spawn } from 'node:child_process';

/**
 * poll(2) on a pipe's write end: Linux sets POLLERR once no reader is left (a socket's, POLLHUP).
 * Node has no poll, so perl (part of every Debian, as for pipes.ts) asks, about its own stderr.
 */
const POLL = `
use IO::Poll qw(POLLOUT POLLERR POLLHUP);
my $poll = IO::Poll->new;
$poll->mask(\\*STDERR => POLLOUT);
$poll->poll(0);
print(($poll->events(\\*STDERR) & (POLLERR | POLLHUP)) ? "gone" : "there");
`;

/**
 * Whether `stderr` (a descriptor, or this process's own) is a pipe whose reader has gone. A
 * stage killed by SIGPIPE with such a stderr may have been killed writing to it, not to the
 * stage after it. False where it cannot be told (no perl): a SIGPIPE is then forgiven as before.
 */
export function isReaderGone(stderr: number | 'inherit'): Promise<boolean> {
  return new Promise((resolve) => {
    let said = '';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn('perl', ['-e', POLL], {
        stdio: ['ignore', 'pipe', stderr],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      });
    } catch {
      // A descriptor closed by now, say: nothing to tell.
      resolve(false);
      return;
    }
    child.stdout!.setEncoding('latin1').on('data', (text: string) => {
      said += text;
    });
    child.on('error', () => resolve(false));
    child.on('close', () => resolve(said === 'gone'));
  });
}

/** As POLL, of descriptor 3, once its stdin ends: until then perl holds its copy of 3. */
const HOLD_AND_POLL = `
use IO::Handle;
use IO::Poll qw(POLLOUT POLLERR POLLHUP);
my $out = IO::Handle->new_from_fd(3, 'w') or exit;
1 while <STDIN>;
my $poll = IO::Poll->new;
$poll->mask($out => POLLOUT);
$poll->poll(0);
print(($poll->events($out) & (POLLERR | POLLHUP)) ? "gone" : "there");
`;

/**
 * A copy of `fd` held by a perl, asked with poll(2) once `gone` is called whether its reader has
 * gone: for a socket, which cannot be opened anew through /proc as a pipe can (ENXIO). Null where
 * perl cannot be started. `release` lets the copy go, unasked.
 */
export function holdReader(fd: number): { gone(): Promise<boolean>; release(): void } | null {
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn('perl', ['-e', HOLD_AND_POLL], {
      stdio: ['pipe', 'pipe', 'ignore', fd],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
  } catch {
    return null;
  }
  let said = '';
  child.stdout!.setEncoding('latin1').on('data', (text: string) => {
    said += text;
  });
  // Gone before it was asked (killed, no perl): nothing to tell.
  child.stdin!.on('error', () => {});
  const ended = new Promise<boolean>((resolve) => {
    child.on('error', () => resolve(false));
    child.on('close', () => resolve(said === 'gone'));
  });
  return {
    gone: () => {
      child.stdin!.end();
      return ended;
    },
    release: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
