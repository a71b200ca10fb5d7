import { setFlagsFromString } from 'node:v8';
import type { ResourceLimits, Worker } from 'node:worker_threads';

let starting = 0;

/**
 * Starts a thread whose isolate optimizes code on its own thread, not in the background.
 * Node 20 tears a worker's isolate down after taking it off the platform, and an optimizing
 * compile still running in the background for it then asks the platform for it and aborts the
 * whole process (`Assertion failed: (data.first) != nullptr` in NodePlatform::ForIsolate),
 * seen here when a thread ended right after a busy run. V8 reads the flag once, when an
 * isolate is made, so it is off only while threads start, and on again once they are online:
 * manifold's own thread and any other isolate keep background compiling.
 */
export function startThread(start: () => Worker): Worker {
  if (starting++ === 0) setFlagsFromString('--no-concurrent-recompilation');
  let worker: Worker;
  try {
    worker = start();
  } catch (error) {
    started();
    throw error;
  }
  let once = false;
  const online = () => {
    if (once) return;
    once = true;
    started();
  };
  worker.once('online', online);
  worker.once('exit', online);
  return worker;
}

function started(): void {
  if (--starting === 0) setFlagsFromString('--concurrent-recompilation');
}

/**
 * A thread's young generation, in MB: V8 makes it two semi-spaces of 4 MB and a third for large
 * objects. A filter's records are strings that die young; with 1 MB semi-spaces each thread
 * spent three times as long in the scavenger as one filter process (16 MB semi-spaces), and
 * `fan -j 2 --threads` took 15% longer on 1 GiB. 4 MB costs 8 MB of peak RSS at `-j 2`
 * (docs/performance.md, "Thread workers' young generation").
 */
const THREAD_YOUNG_MB = 12;

/** The heap limits every thread worker is made with; `heapLimit` (bytes) caps its old generation. */
export function threadLimits(heapLimit?: number): ResourceLimits {
  const limits: ResourceLimits = { maxYoungGenerationSizeMb: THREAD_YOUNG_MB };
  if (heapLimit !== undefined) limits.maxOldGenerationSizeMb = heapMegabytes(heapLimit);
  return limits;
}

/** A heap cap in bytes as V8 is given it: whole MiB, at least one. */
export function heapMegabytes(heapLimit: number): number {
  return Math.max(1, Math.ceil(heapLimit / 2 ** 20));
}
