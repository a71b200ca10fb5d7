import type { Writable } from 'node:stream';
import { outputErrorLine } from '../fan/failure-lines.js';
import type { Reporter } from '../fan/options.js';

/**
 * A fan's Writable output that failed on its way to its end (a `final` that flushes, an upload,
 * an fsync): the output is not all written, and the call must not resolve. Waits for its end;
 * says the failure as the engine says the output's (`cannot write the output: ...`), to the
 * reporter (which collects the call's failures), and returns its error; null when it ended
 * well (or was never ended: process.stdout). Not said twice: where the engine's own writing
 * met it (a merge that ends the output itself), `said` has it already.
 */
export async function outputEndFailure(
  stream: Writable,
  reporter: Reporter | undefined,
  said: readonly string[] = [],
): Promise<unknown> {
  const error = await ended(stream);
  if (error === null || error === undefined) return null;
  const line = outputErrorLine(error as NodeJS.ErrnoException, 'the output');
  if (said.includes(line)) return error;
  if (reporter?.failure !== undefined) reporter.failure(line);
  else reporter?.write(`manifold: ${line}\n`);
  return error;
}

/** Resolves once an ended stream has finished or was destroyed: with its error, else null. */
function ended(stream: Writable): Promise<unknown> {
  if (stream.writableFinished || !stream.writableEnded) return Promise.resolve(null);
  if (stream.destroyed) return Promise.resolve(stream.errored);
  return new Promise<unknown>((resolve) => {
    stream.once('finish', () => resolve(null));
    stream.once('close', () => resolve(stream.errored));
    stream.once('error', (error) => resolve(error));
  });
}
