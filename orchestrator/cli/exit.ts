import type { Writable } from 'node:stream';

/**
 * Exits with `status` once what is queued for `stderr` (workers' lines under --tag, messages)
 * is written: a socket (a Node parent's 'pipe') is written asynchronously, and exiting drops
 * the rest. Not after a signal (128 + n), where manifold goes now, as a program killed by it
 * would.
 *
 * Not at 'drain', which comes only after a write that was refused: after a small last write
 * nothing came, Node exited by itself and with the failure status main sets for a run that
 * never settles (a run whose worker ended its stderr with a short line exited 1, silently). An
 * empty write's callback comes after every write before it, as `StreamSink.finish` waits for
 * stdout.
 */
export function exitAfterStderr(
  status: number,
  stderr: Writable = process.stderr,
  exit: (status: number) => void = process.exit,
): void {
  if (status >= 128 || stderr.writableLength === 0 || stderr.destroyed) {
    exit(status);
    return;
  }
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    exit(status);
  };
  stderr.write(Buffer.alloc(0), once);
  stderr.once('error', once);
  stderr.once('close', once);
}
