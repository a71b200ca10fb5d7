/**
 * manifold's package entry: the filter SDK (filters/index.ts) and the library API, `fan` and
 * `run`. The API's machinery (the fan engine, the config loader) loads when first called, so
 * that a filter importing the SDK starts as fast as before.
 */

import { holdingErrors } from './api/caller-errors.js';
import type { FanIO, FanOptions } from './api/fan.js';
import type { PipelineConfig, RunIO, RunSummary } from './api/run.js';
import type { FanStreamIO } from './api/stream.js';
import type { FanSummary } from './fan/stats.js';

export * from '../filters/index.js';
export { AbortError, OutputClosedError, RunError } from './api/errors.js';
export type { FanIO, FanOptions } from './api/fan.js';
export type { Input, Output } from './api/io.js';
export type { ApiReporter as Reporter, StderrOption } from './api/report.js';
export type { PipelineConfig, RunIO, RunSummary } from './api/run.js';
export type { FanStreamIO } from './api/stream.js';
export type { HostStats } from './fan/host-stats.js';
export type { FanSummary, WorkerStats } from './fan/stats.js';
export type { FanSettings } from './options/fan-settings.js';

/** `fan(options, io)`, and `fan.stream(options, io)` for reading the output in code. */
export interface FanFunction {
  /**
   * Runs a fan from `io.input` to `io.output`: resolves to its summary (the --stats document),
   * rejects with a coded ManifoldError. See docs/api.md.
   */
  (options: FanOptions, io: FanIO): Promise<FanSummary>;
  /**
   * Runs a fan whose output is read with `for await`: chunks of whole records. Leaving the
   * loop stops the fan and its workers. See docs/api.md.
   */
  stream(options: FanOptions, io: FanStreamIO): AsyncGenerator<Buffer>;
}

/** Fans a stream through `command` run by several workers. */
export const fan: FanFunction = Object.assign(
  async (options: FanOptions, io: FanIO): Promise<FanSummary> => {
    const release = holdingErrors(io, options);
    try {
      return await (await import('./api/fan.js')).fan(options, io);
    } finally {
      release();
    }
  },
  {
    async *stream(options: FanOptions, io: FanStreamIO): AsyncGenerator<Buffer> {
      const release = holdingErrors(io, options);
      try {
        yield* (await import('./api/stream.js')).streamFan(options, io);
      } finally {
        release();
      }
    },
  },
);

/**
 * Runs a pipeline config (a file's path, or the config as an object, as the YAML would hold
 * it) from `io.input` to `io.output`: resolves to its summary, rejects with a coded
 * ManifoldError. See docs/api.md.
 */
export async function run(config: string | PipelineConfig, io: RunIO = {}): Promise<RunSummary> {
  const release = holdingErrors(io);
  try {
    return await (await import('./api/run.js')).run(config, io);
  } finally {
    release();
  }
}
