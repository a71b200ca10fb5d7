import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SlotSpec } from '../transport.js';
import { heapMegabytes, startThread, threadLimits } from './jit.js';
import { LOADER, loaderData } from './loader.js';
import type { ThreadModule } from './module.js';
import { claimThread } from './preboot.js';

const MiB = 1024 * 1024;

/**
 * The thread of one worker slot, running `module`: one booted while manifold loaded
 * (preboot.ts) when one waits and no heap cap is asked (a limit is fixed when a thread is
 * made), else a new one. `heapOption` is how messages name the cap (`--thread-heap`).
 */
export function startFilterThread(
  spec: SlotSpec,
  module: ThreadModule,
  heapOption: string,
): Worker {
  const { slot, workers, command, heapLimit } = spec;
  const moduleUrl = pathToFileURL(module.file).href;
  // As a process's: each thread knows its place, and sees the tables given to the fan.
  const env = {
    ...process.env,
    ...command.env,
    MANIFOLD_WORKER: String(slot),
    MANIFOLD_WORKERS: String(workers),
  } as Record<string, string>;
  const booted =
    heapLimit === undefined
      ? claimThread({ module: moduleUrl, args: module.args, env, commonjs: module.commonjs })
      : null;
  return (
    booted ??
    startThread(
      () =>
        new Worker(LOADER, {
          eval: true,
          // The filter refuses a record it could not hold as text under the cap (sdk/heap.ts).
          workerData: loaderData(
            moduleUrl,
            heapLimit === undefined
              ? undefined
              : { bytes: heapMegabytes(heapLimit) * MiB, option: heapOption },
            module.commonjs,
          ),
          argv: module.args,
          env,
          stdin: false,
          stdout: true,
          stderr: true,
          resourceLimits: threadLimits(heapLimit),
        }),
    )
  );
}
