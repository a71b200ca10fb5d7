/**
 * Bytes that move between threads. An ArrayBuffer in a postMessage transfer list changes owner
 * without a copy, but it moves whole: a Buffer that is a view into a larger ArrayBuffer (a
 * slice of a read, or one of Node's pooled small Buffers) would take its neighbours along and
 * leave every other view of them empty. So what crosses is always copied first into a Buffer
 * that owns its whole ArrayBuffer, one copy per message, and never used again by the sender.
 */

/** Which side a message is for, and what it carries. Blocks in, output out. */
export type ToThread = { kind: 'bytes'; buffer: ArrayBuffer } | { kind: 'end' };

export type FromThread =
  /**
   * Output bytes, in order; `finished` counts the messages of input the thread has done with
   * (cumulative), so the sender knows how much of what it gave is still waiting.
   */
  | { kind: 'output'; buffers: ArrayBuffer[]; finished: number }
  /** The module was loaded and did not call a filter's `.main()` or `.run()`. */
  | { kind: 'not-a-filter' }
  /** The module could not be loaded: its error's message. */
  | { kind: 'load-error'; message: string };

/**
 * The key in a thread's `workerData` that says it serves manifold's blocks: an SDK filter's
 * `.main()` or `.run()` then reads blocks from the parent port instead of stdin.
 */
export const THREAD_MARK = 'manifoldThread';

/** Set on `globalThis` by a filter that serves a thread: the loader can tell a filter loaded. */
export const SERVING = Symbol.for('manifold.thread.serving');

/** `parts` copied into one Buffer that owns its whole ArrayBuffer, ready to transfer. */
export function ownedCopy(parts: readonly Uint8Array[], bytes?: number): Buffer {
  let total = bytes ?? 0;
  if (bytes === undefined) for (const part of parts) total += part.length;
  // allocUnsafeSlow: never from the pool, so the ArrayBuffer is this Buffer's alone; not zeroed,
  // since every byte is written next.
  const owned = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const part of parts) {
    owned.set(part, at);
    at += part.length;
  }
  return owned;
}

/** True when transferring `buffer`'s ArrayBuffer would move exactly its bytes and nothing else. */
export function ownsItsMemory(buffer: Uint8Array): boolean {
  return buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength;
}
