import { acceptStatus, type Transport, type TransportOutcome } from '../transport.js';
import type { WorkerOutcome } from '../types.js';
import type { ProtocolOutput } from './protocol-output.js';

/**
 * The engine's view of an instance's end: one that ended well with blocks unanswered has failed
 * them, whatever its transport says; a failure names the instance for messages, and the blocks
 * it had finished whose aggregate its flush was to write (`messages`: under the protocol).
 */
export function workerOutcome(
  end: TransportOutcome,
  transport: Transport,
  unanswered: boolean,
  messages: ProtocolOutput | null = null,
): WorkerOutcome {
  const outcome = endOf(end, transport, unanswered);
  const heldFor = messages?.heldFor(transport.flushes === true) ?? 0;
  return outcome.kind === 'failed' && heldFor > 0 ? { ...outcome, heldFor } : outcome;
}

function endOf(end: TransportOutcome, transport: Transport, unanswered: boolean): WorkerOutcome {
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
 * How an instance ended, for its attribution: as manifold ended it (`abandoned`: a timeout, a
 * failure whatever the transport says; a `misfit`, no SDK filter, is no use trying again), or
 * as the transport says, a status --ok-status accepts being no failure.
 */
export function endedAs(
  end: TransportOutcome,
  abandoned: string | null,
  okStatus: readonly number[],
  misfit = false,
): TransportOutcome {
  if (abandoned === null) return acceptStatus(end, okStatus);
  const { details } = end;
  const how = misfit ? { retryable: false, misfit } : { retryable: true };
  return { kind: 'failed', reason: abandoned, ...how, ...(details && { details }) };
}
