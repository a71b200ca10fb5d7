import { readdirSync, readFileSync } from 'node:fs';
import { errnoText, UsageError } from '../../filters/index.js';

// While a worker starts, libuv holds both ends of each new pipe and one more pipe to learn of a
// failed exec; and the input, the output, a --stats file and Node itself open a few more later.
const SPAWN_EXTRA = 2;
const RESERVE = 6;

/**
 * Descriptors a thread worker holds: its event loop's (epoll, an eventfd), and the pipes of its
 * stdout and stderr (4, measured), and one more while its module loads (its package.json).
 */
export const THREAD_DESCRIPTORS = 5;

/** Descriptors manifold keeps open per running worker: its stdin and stdout, and stderr when prefixed. */
export function descriptorsPerWorker(prefixedStderr: boolean): number {
  return prefixedStderr ? 3 : 2;
}

let knownLimit: number | null | undefined;

/**
 * The soft open-file limit (`ulimit -n`), from /proc; null where unlimited or unknown. Read
 * once: Node cannot change it, and once out of descriptors /proc can no longer be opened.
 */
export function openFileLimit(): number | null {
  if (knownLimit !== undefined) return knownLimit;
  try {
    const limits = readFileSync('/proc/self/limits', 'latin1');
    const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
    knownLimit = soft === undefined || soft === 'unlimited' ? null : Number(soft);
  } catch {
    knownLimit = null;
  }
  return knownLimit;
}

function openDescriptors(): number | null {
  try {
    // Less the descriptor that reads the folder.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}

/**
 * How many workers the open-file limit leaves room for now; null when there is no limit to go
 * by. `held`: of the descriptors open, those the workers take for theirs (pipes made for them
 * ahead), which they cost no more of.
 */
export function workersAllowed(
  prefixedStderr: boolean,
  each = descriptorsPerWorker(prefixedStderr),
  held = 0,
): number | null {
  const limit = openFileLimit();
  const open = openDescriptors();
  if (limit === null || open === null) return null;
  const spare = limit - (open - held) - each - SPAWN_EXTRA - RESERVE;
  return Math.max(0, Math.floor(spare / each));
}

/**
 * Refuses, before any worker starts, a number of workers that the open-file limit cannot hold:
 * starting some and failing halfway would leave a run half done.
 */
export function checkWorkerDescriptors(
  workers: number,
  prefixedStderr: boolean,
  each = descriptorsPerWorker(prefixedStderr),
  present = 0,
  held = 0,
): void {
  const room = workersAllowed(prefixedStderr, each, held);
  if (room === null) return;
  // Workers whose descriptors are open already (threads booted ahead) take no more.
  const allowed = room + present;
  if (workers <= allowed) return;
  throw new UsageError(
    `-j ${workers}: the open-file limit (ulimit -n ${openFileLimit()}) allows at most ${allowed} workers here; use fewer or raise the limit`,
  );
}

/** Whether `error` says the system is out of descriptors or processes, not that a command is wrong. */
export function isOutOfResources(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'EMFILE' || code === 'ENFILE' || code === 'EAGAIN';
}

/**
 * A start error's code: the process starter names errno 11 `EWOULDBLOCK` (Python's name), Node
 * `EAGAIN`; Linux has one number for both.
 */
function codeOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EWOULDBLOCK' ? 'EAGAIN' : code;
}

/** One line on why the system refused to start a worker. */
export function describeStartError(error: unknown): string {
  const code = codeOf(error);
  switch (code) {
    case 'EMFILE': {
      // Not known where /proc could no longer be opened: the limit named, not `unknown`.
      const limit = openFileLimit();
      return `out of file descriptors (EMFILE, ulimit -n${limit === null ? '' : ` ${limit}`}); use fewer workers (-j) or raise the limit`;
    }
    case 'ENFILE':
      return 'the system is out of file descriptors (ENFILE)';
    case 'EAGAIN':
      return 'out of processes (EAGAIN, ulimit -u); use fewer workers (-j) or raise the limit';
    case 'E2BIG':
      return 'its arguments and environment are longer than the system takes (E2BIG: getconf ARG_MAX)';
    default:
      // The starter's errors are plain objects with a code: `[object Object]` said nothing.
      if (error instanceof Error) return error.message;
      return code !== undefined ? errnoText(code) : String(error);
  }
}
