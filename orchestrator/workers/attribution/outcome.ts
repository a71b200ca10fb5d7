import type { Transport, TransportOutcome } from '../transport.js';
import type { WorkerOutcome } from '../types.js';

/**
 * The engine's view of an instance's end: one that ended well with blocks unanswered has failed
 * them, whatever its transport says; a failure names the instance for messages.
 */
export function workerOutcome(
  end: TransportOutcome,
  transport: Transport,
  unanswered: boolean,
): WorkerOutcome {
  switch (end.kind) {
    case 'ok': {
      const base = end.details === undefined ? {} : { details: end.details };
      if (!unanswered) return { kind: 'ok', ...base };
      return {
        kind: 'failed',
        worker: transport.describe(),
        reason: end.reason,
        retryable: true,
        unanswered: true,
        ...base,
      };
    }
    case 'failed':
      return { ...end, worker: transport.describe() };
    default:
      return end;
  }
}

/**
 * An instance that ended with a status --ok-status accepts (grep's 1, "no match") ended well:
 * its blocks are done if it answered them, and nothing is retried for it. So did an `unfed`
 * one, given no input by the input's end, whatever its status: it failed no block, as GNU
 * parallel starts no job without data (`echo a | manifold fan -j 4 -- grep a`: the three greps
 * given nothing exit 1, and failed the run before 2026-12-05). A command not found or a misfit
 * fails still.
 */
export function acceptStatus(
  end: TransportOutcome,
  okStatus: readonly number[],
  unfed = false,
): TransportOutcome {
  if (end.kind !== 'failed' || end.status === undefined) return end;
  if (!okStatus.includes(end.status) && !(unfed && !end.notFound && !end.misfit)) return end;
  return { kind: 'ok', reason: end.reason, ...(end.details && { details: end.details }) };
}

/**
 * How an instance ended, for its attribution: as manifold ended it (`abandoned`: a timeout, a
 * failure whatever the transport says; a `misfit`, no SDK filter, is no use trying again), or
 * as the transport says, a status --ok-status accepts (any, for one `unfed`) being no failure.
 */
export function endedAs(
  end: TransportOutcome,
  abandoned: string | null,
  okStatus: readonly number[],
  misfit = false,
  unfed = false,
): TransportOutcome {
  if (abandoned === null) return acceptStatus(end, okStatus, unfed);
  const { details } = end;
  const how = misfit ? { retryable: false, misfit } : { retryable: true };
  return { kind: 'failed', reason: abandoned, ...how, ...(details && { details }) };
}
