import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { workerData } from 'node:worker_threads';
import { type FromThread, TAKES_ENDED } from '../transfer.js';
import { threadPort } from './thread.js';

/** How often a thread that stays for its children looks whether they have ended. */
const LOOK_EVERY_MS = 50;

/**
 * Keeps the thread of a filter that has ended (`status`) until the processes it started have
 * ended. They are manifold's children, and Node waits for a child only in the event loop of
 * the thread that started it: a thread gone, they would stay zombies until manifold exits.
 * manifold is told the filter's end at once and goes on; the pipes to them are closed, as a
 * process filter's exit closes them, and the thread waits, idle, until none is left (Linux
 * lists a thread's children in /proc; elsewhere nothing is waited for). Returns at once in a
 * process, or for a manifold that does not take the end as a message.
 */
export async function outliveChildren(status: number): Promise<void> {
  const port = threadPort();
  const data = workerData as Record<string, unknown> | null;
  if (port === null || data?.[TAKES_ENDED] !== true || childrenLeft() === 0) return;
  // What the filter wrote comes before manifold's line on its end: stdio goes by another port.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  const ended: FromThread = { kind: 'ended', status };
  port.postMessage(ended);
  closePipes();
  await new Promise<void>((resolve) => {
    const look = setInterval(() => {
      if (childrenLeft() > 0) return;
      clearInterval(look);
      resolve();
    }, LOOK_EVERY_MS);
  });
}

/** This thread's children not yet waited for (a zombie among them), 0 where /proc has none. */
function childrenLeft(): number {
  try {
    return readFileSync('/proc/thread-self/children', 'latin1').split(' ').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** Resolves once what was written to `stream` before has left (a thread's stdio: manifold). */
export function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * Closes the pipes between the filter and the children it started (a helper reading its
 * input then sees it end). Node lists them only among its active handles. (Told by their
 * shape: node:child_process is not loaded into every filter for `instanceof`.)
 */
function closePipes(): void {
  const list = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  for (const handle of list?.call(process) ?? []) {
    const { pid, stdio } = handle as { pid?: unknown; stdio?: unknown };
    if (typeof pid !== 'number' || !Array.isArray(stdio)) continue;
    for (const stream of stdio as ({ destroy(): void } | null)[]) stream?.destroy();
  }
}
