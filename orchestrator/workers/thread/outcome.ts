import {
  CURRENT_FOLDER_GONE,
  describeError,
  isCurrentFolderGone,
} from '../../../filters/errors.js';
import type { TransportOutcome } from '../transport.js';
import { heapMegabytes } from './jit.js';

/** What is known of a thread when it has exited. */
export interface ThreadEnd {
  threadId: number;
  exitCode: number;
  /** Ended by `stop`. */
  stopped: boolean;
  /** Why it was refused before running a block (not a filter, another protocol), or null. */
  refused: string | null;
  /** What it threw, or ended for (ERR_WORKER_OUT_OF_MEMORY), or null. */
  error: Error | null;
  /** Its heap cap in bytes (`--thread-heap`), and how messages name that option. */
  heapLimit: number | undefined;
  heapOption: string;
}

/** A thread's end as the fan reads every worker's: a thread's exit status counts as a process's. */
export function threadOutcome(end: ThreadEnd): TransportOutcome {
  const { threadId, exitCode, error, heapLimit } = end;
  const details = { thread: threadId, exitCode, signal: null };
  // Terminated by manifold (past --timeout, a stop): killed, no status of its own; Node's 1
  // read in the job log as the filter's exit status, where a process's row says -1, as parallel.
  if (end.stopped) return { kind: 'stopped', details: { ...details, exitCode: null } };
  if (end.refused !== null) return { kind: 'cannot-start', reason: end.refused };
  if (error !== null && isCurrentFolderGone(error))
    return { kind: 'cannot-start', reason: CURRENT_FOLDER_GONE };
  if (error !== null) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `ran out of memory${heapLimit === undefined ? '' : ` (its heap is capped at ${heapMegabytes(heapLimit)} MiB by ${end.heapOption})`}`
        : `threw ${describeError(error)}`;
    return { kind: 'failed', reason, retryable: true, details };
  }
  // A thread's exit status reads, and counts under --ok-status, as a process's does.
  const reason = `exited with status ${exitCode}`;
  if (exitCode === 0) return { kind: 'ok', reason, details };
  return { kind: 'failed', reason, retryable: true, status: exitCode, details };
}
