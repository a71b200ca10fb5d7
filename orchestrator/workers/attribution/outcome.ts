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
