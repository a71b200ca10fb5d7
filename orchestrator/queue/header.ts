import { type InputHeader, noHeader } from '../workers/header.js';
import type { QueueConnection } from '../workers/queue/connect.js';
import { readHeader } from '../workers/queue/header.js';
import { type JobSpec, readSpec } from '../workers/queue/job.js';
import type { JobNames } from '../workers/queue/names.js';
import { JOB_POLL_MS, pause } from './pull.js';

/**
 * The job's header (--header), which its commands are given before each block: none for a job
 * without one; for one with, once its coordinator has read it from its input and published it
 * (before any block). Null when stopped, or the job finished, first.
 */
export async function waitForHeader(
  options: { conn: QueueConnection; names: JobNames; signal: AbortSignal },
  spec: JobSpec,
): Promise<InputHeader | null> {
  if (spec.header == null) return noHeader();
  const { conn, names, signal } = options;
  while (!signal.aborted) {
    const header = await readHeader(conn, names, spec.run);
    if (header !== null) return header;
    const now = await readSpec(conn, names);
    if (now === null || now.run !== spec.run) return null;
    await pause(JOB_POLL_MS, signal);
  }
  return null;
}
