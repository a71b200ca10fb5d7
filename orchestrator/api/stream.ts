import { Readable, Writable } from 'node:stream';
import type { FanSummary } from '../fan/stats.js';
import { readCallerInput } from './caller-input.js';
import type { Elsewhere } from './checks.js';
import { type FanOptions, prepareFan, runFan } from './fan.js';
import { type Input, resolveInput } from './io.js';

/** Where `fan.stream` reads, and what stops it. */
export interface FanStreamIO {
  /** The input: a Readable, a file path, a list of paths read in order, or a descriptor. */
  input: Input;
  /** Stops the run: the iteration throws an AbortError. */
  signal?: AbortSignal;
}

/** A caller who gives fan.stream an output, as to fan, is told where the output is. */
const OUTPUT_IS_RETURNED: Elsewhere = {
  names: ['output'],
  said:
    "fan.stream's output is the iterable it returns, read with for await (docs/api.md); " +
    'to have it written to a stream, a file or a descriptor, call fan instead',
};

/** Output chunks the iteration may hold before the fan pauses its workers. */
const HELD_CHUNKS = 4;

/**
 * A fan whose output is read in code: `for await (const chunk of fan.stream(...))`. Each chunk
 * holds whole records (one write of the merge); a worker's last record without its delimiter
 * gets it at the head of the next chunk. The fan runs as fast as the loop reads: while it
 * holds a few chunks, the workers and the input wait. Leaving the loop early (break, return,
 * throw) stops the fan and its workers before the loop's statement after it runs; a failure
 * of the fan is thrown by the iteration, as `fan` would reject.
 */
export async function* streamFan(options: FanOptions, io: FanStreamIO): AsyncGenerator<Buffer> {
  const prepared = prepareFan(options, io, ['input', 'signal'], [OUTPUT_IS_RETURNED]);
  const reading = readCallerInput(resolveInput(io.input));
  const { inputs, size, ...rest } = reading.engine;
  // The caller's signal, or leaving the loop, stops the fan (AbortSignal.any is Node >= 20.3).
  const stop = new AbortController();
  const signal = stop.signal;
  const follow = () => stop.abort(io.signal?.reason);
  if (io.signal?.aborted) follow();
  else io.signal?.addEventListener('abort', follow, { once: true });
  const channel = recordChannel();
  const running = runFan(
    { ...prepared.options, inputs, ...rest, output: channel.writable },
    prepared,
    size,
    { signal },
  );
  // The fan's end, success or failure, ends the iteration; its error is thrown from it below.
  const settled: Promise<FanSummary | { error: unknown }> = running.then(
    (summary) => summary,
    (error: unknown) => {
      channel.end();
      return { error };
    },
  );
  let done = false;
  try {
    for await (const chunk of channel.readable) yield chunk as Buffer;
    const end = await settled;
    done = true;
    if ('error' in end) throw end.error;
  } finally {
    io.signal?.removeEventListener('abort', follow);
    if (!done) {
      stop.abort();
      channel.readable.destroy();
      await settled;
    }
    reading.release();
  }
}

/**
 * A Writable for the fan's sink and the Readable the loop reads: each corked write of the sink
 * (one `emit` of whole records) arrives in `writev` and is pushed as one chunk. The write's
 * callback waits while the readable holds its fill, which is what fills the sink and pauses
 * the fan.
 */
function recordChannel(): { writable: Writable; readable: Readable; end(): void } {
  let waiting: (() => void) | null = null;
  let ended = false;
  const go = () => {
    const done = waiting;
    waiting = null;
    done?.();
  };
  const end = () => {
    if (ended) return;
    ended = true;
    readable.push(null);
  };
  const readable = new Readable({
    objectMode: true,
    highWaterMark: HELD_CHUNKS,
    read: go,
    destroy(error, done) {
      go();
      done(error);
    },
  });
  const pass = (data: Buffer, done: () => void) => {
    if (ended || readable.destroyed || readable.push(data)) done();
    else waiting = done;
  };
  const writable = new Writable({
    writev(chunks, done) {
      pass(Buffer.concat(chunks.map(({ chunk }) => chunk as Buffer)), done);
    },
    write(chunk: Buffer, _encoding, done) {
      pass(chunk, done);
    },
    final(done) {
      end();
      done();
    },
  });
  return { writable, readable, end };
}
