import { setFlagsFromString } from 'node:v8';
import type { Worker } from 'node:worker_threads';

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
