import { constants } from 'node:os';

/** How a fan ended. */
export type FanEnd =
  | { kind: 'done'; status: number }
  | { kind: 'closed' }
  | { kind: 'signal'; signal: NodeJS.Signals };

/**
 * The status the command line gives for how a fan ended, for --stats: a run stopped by a signal
 * reports 128 plus its number, as a shell does (SIGINT 130), and one whose output was closed
 * SIGPIPE's 141, not 1, which says a worker failed.
 */
export function endStatus(end: FanEnd): number {
  if (end.kind === 'done') return end.status;
  return 128 + constants.signals[end.kind === 'closed' ? 'SIGPIPE' : end.signal];
}
