import type { CommandSpec } from '../workers/command.js';
import type { QueueConnection } from '../workers/queue/connect.js';
import type { JobNames } from '../workers/queue/names.js';
import type { WorkerStderr } from '../workers/transport.js';
import type { Attribution } from '../workers/types.js';
import { waitForHeader } from './header.js';
import { waitForJob } from './pull.js';
import { QueueServer } from './server.js';
import { fetchTables } from './tables.js';

/** What `manifold worker --queue` runs: its own command, never one from the queue. */
export interface ServeOptions {
  conn: QueueConnection;
  names: JobNames;
  workers: number;
  command: CommandSpec;
  attribution: Exclude<Attribution, 'none'>;
  okStatus: readonly number[];
  stderr?: WorkerStderr;
  tag: boolean;
  /**
   * How long this machine takes no new block after one of its processes could not be started,
   * so that another machine gets the block first (`--start-backoff`); 0: at once.
   */
  startBackoffMs: number;
  log: (line: string) => void;
  /** Aborted to stop: the blocks in hand go back to the queue at once. */
  signal: AbortSignal;
}

/**
 * Serves a job: waits for it to exist, then pulls its blocks, runs each through a local worker
 * (the attribution and process transport the local fan uses), publishes each block's output and
 * acknowledges the block. Returns once the job is finished (its coordinator removed it), or at
 * `signal`.
 */
export async function serveQueue(options: ServeOptions): Promise<void> {
  const spec = await waitForJob(options);
  if (spec === null) return;
  const { workers } = options;
  options.log(
    `job "${options.names.job}" found: serving it with ${workers} worker${workers === 1 ? '' : 's'}`,
  );
  // The job's tables, fetched into this machine's cache before its first block.
  const tables = await fetchTables(options.conn, spec, options.names, options.log, options.signal);
  if (tables === null || options.signal.aborted) return;
  const command = { ...options.command, env: { ...options.command.env, ...tables } };
  const header = await waitForHeader(options, spec);
  if (header === null) return;
  await new QueueServer({ ...options, command }, spec, header).run();
}
