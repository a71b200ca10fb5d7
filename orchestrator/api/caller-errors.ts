import type { EventEmitter } from 'node:events';
import { changeMaxListeners } from '../fan/listener-limit.js';

/**
 * The caller's streams may fail at any time of a call: a source destroyed with an error in the
 * same tick as the call, a socket reset, a stderr sink that refuses a write. The engine listens
 * for the input's and the output's errors only once it is loaded and running (its modules load
 * on the first call; hosts connect, a queue's job opens), and for the workers' stderr sink and
 * the reporter not at all; an 'error' event heard by nobody throws in the caller's process, out
 * of reach of the promise. So from the call until it settles, their errors have a listener
 * here. The engine still hears an input or output that failed before it listened, through the
 * stream's own state (a Readable read after its error throws it; a Writable's `errored` is
 * checked before the run: io.ts `checkOutput`), and the call rejects for it as for an error heard
 * in the run. A stderr sink or reporter that fails takes nothing more, as a command's stderr
 * closed under it: the run goes on, and its failures still reach the rejection's error.
 */

type Emitter = Pick<EventEmitter, 'on' | 'off' | 'getMaxListeners' | 'setMaxListeners'>;

const ROLES = ['input', 'output', 'stderr', 'reporter'] as const;

/** The streams that `places` (the call's io, its options) name in `ROLES` and can emit 'error'. */
function streamsOf(places: readonly unknown[]): Emitter[] {
  const streams = new Set<Emitter>();
  for (const place of places) {
    if (typeof place !== 'object' || place === null) continue;
    for (const role of ROLES) {
      const value = (place as Record<string, unknown>)[role];
      if (
        typeof value === 'object' &&
        value !== null &&
        typeof (value as Emitter).on === 'function' &&
        typeof (value as Emitter).off === 'function' &&
        typeof (value as Emitter).setMaxListeners === 'function'
      )
        streams.add(value as Emitter);
    }
  }
  return [...streams];
}

const heard = (): void => {};

/** Holds the errors of the streams `places` name (see above); the function returned lets go. */
export function holdingErrors(...places: unknown[]): () => void {
  noteDeadOutputs(places);
  const streams = streamsOf(places);
  // Calls that run at once on one stream (process.stdout) each listen: the limit rises with them.
  for (const stream of streams) {
    changeMaxListeners(stream, 1);
    stream.on('error', heard);
  }
  return () => {
    for (const stream of streams) {
      const letGo = () => {
        stream.off('error', heard);
        changeMaxListeners(stream, -1);
      };
      // Failed in the tick of the call, the call settled for it, its 'error' still to be emitted
      // (Node emits it a tick after `destroy(error)`): held until then, or it threw.
      if (errorToCome(stream)) (stream as EventEmitter).once('error', letGo);
      else letGo();
    }
  };
}

/**
 * Whether a stream has failed and its 'error' event is still to come: its state (Node's own,
 * `errored` set at once by `destroy(error)`, `errorEmitted` a tick later) says so.
 */
function errorToCome(stream: Emitter): boolean {
  const own = stream as { _writableState?: StreamState; _readableState?: StreamState };
  const state = own._writableState ?? own._readableState;
  return state?.errored !== null && state?.errored !== undefined && state.errorEmitted === false;
}

interface StreamState {
  errored?: unknown;
  errorEmitted?: boolean;
}

/**
 * Outputs already ended or destroyed when the call was made: the caller's mistake, a usage error
 * when the output is checked (io.ts `checkOutput`, after the options). One ended or destroyed
 * after it, even in its tick, is the run's: its reader gone (`manifold.outputClosed`), or ended
 * by another.
 */
export const deadAtCall = new WeakSet<object>();

function noteDeadOutputs(places: readonly unknown[]): void {
  for (const place of places) {
    const output = (place as { output?: unknown } | null)?.output;
    if (typeof output !== 'object' || output === null) continue;
    const { writableEnded, destroyed } = output as { writableEnded?: boolean; destroyed?: boolean };
    if (writableEnded === true || destroyed === true) deadAtCall.add(output);
  }
}
