import type { Writable } from 'node:stream';
import { errnoText, ManifoldError } from './errors.js';

// What commander shows on stdout, `--help` and `--version`, is written as any other output: it
// failed silently before (`manifold --help > /dev/full` exited 0), the process exiting before
// the stream said so a tick later. Both manifold and the SDK's filters ask here.

/**
 * Once what was written to `stdout` is out: null, or the error that stopped it. The stream is
 * given a listener for its error, which would else end the process with a stack.
 */
export function shownFailure(
  stdout: Writable = process.stdout,
): Promise<NodeJS.ErrnoException | null> {
  stdout.on('error', () => {});
  const failed = stdout.errored as NodeJS.ErrnoException | null;
  if (failed !== null) return Promise.resolve(failed);
  return new Promise((resolve) => {
    stdout.write('', (error) => {
      resolve((error ?? stdout.errored ?? null) as NodeJS.ErrnoException | null);
    });
  });
}

/**
 * EPIPE from a pipe; ECONNRESET from the socket pair a Node parent gives as 'pipe' stdio, whose
 * reader went away. Both mean nobody reads any more.
 */
export function isClosed(code: string | undefined): boolean {
  return code === 'EPIPE' || code === 'ECONNRESET';
}

/** `cannot write stdout: no space left on device (ENOSPC)`, exit 1, as a run's output says it. */
export function stdoutFailure(cause: NodeJS.ErrnoException): ManifoldError {
  const reason = cause.code === undefined ? cause.message : errnoText(cause.code);
  return new ManifoldError('manifold.io', `cannot write stdout: ${reason}`, {
    exitCode: 1,
    cause,
  });
}
