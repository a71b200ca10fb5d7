import type { EventEmitter } from 'node:events';
import { changeMaxListeners } from '../fan/listener-limit.js';

/**
 * The caller's streams (`io.input`, `io.output`) may fail as soon as the call is made: a source
 * destroyed with an error in the same tick, a socket reset. The engine listens for their errors
 * only once it is loaded and running (its modules load on the first call; hosts connect, a
 * queue's job opens), and an 'error' event heard by nobody throws in the caller's process, out
 * of reach of the promise. So from the call until it settles, their errors have a listener
 * here; the engine still hears a stream that failed before it listened, through the stream's
 * own state (a Readable read after its error throws it; a Writable's `errored` is checked before
 * the run: io.ts `checkOutput`), and the call rejects for it as for an error heard in the run.
 */

type Emitter = Pick<EventEmitter, 'on' | 'off' | 'getMaxListeners' | 'setMaxListeners'>;

/** The streams of `io` that can emit 'error': the input and the output. */
function streamsOf(io: unknown): Emitter[] {
  if (typeof io !== 'object' || io === null) return [];
  const { input, output } = io as { input?: unknown; output?: unknown };
  return [input, output].filter(
    (value): value is Emitter =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as Emitter).on === 'function' &&
      typeof (value as Emitter).off === 'function' &&
      typeof (value as Emitter).setMaxListeners === 'function',
  );
}

const heard = (): void => {};

/** Holds the streams' errors while `call` runs (see above): listened to from now to its end. */
export function holdingErrors(io: unknown): () => void {
  const streams = streamsOf(io);
  // Calls that run at once on one stream (process.stdout) each listen: the limit rises with them.
  for (const stream of streams) {
    changeMaxListeners(stream, 1);
    stream.on('error', heard);
  }
  return () => {
    for (const stream of streams) {
      stream.off('error', heard);
      changeMaxListeners(stream, -1);
    }
  };
}
