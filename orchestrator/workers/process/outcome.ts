import type { TransportOutcome } from '../transport.js';
import type { ProcessEnd } from './spawn.js';

/**
 * How a worker process ended, as a person reads it: its exit status or signal, a shell's 127
 * and 126 named; `stopped` when manifold stopped it. `pid` is -1 for one never started.
 */
export function processOutcome(
  { exitCode, signal, startError, lost, unstarted }: ProcessEnd,
  pid: number,
  stopped: boolean,
): TransportOutcome {
  // As a slot given no block opens none (`PersistentWorker`): nothing ran, nothing failed.
  if (unstarted) return { kind: 'ok', reason: 'was given no input and never started' };
  if (startError !== undefined) return { kind: 'cannot-start', reason: startError };
  const details = pid > 0 ? { pid, exitCode, signal } : undefined;
  const base = details === undefined ? {} : { details };
  if (stopped) return { kind: 'stopped', ...base };
  if (lost !== undefined) {
    return { kind: 'failed', reason: `was killed, as ${lost}`, retryable: true, ...base };
  }
  if (signal !== null) {
    return { kind: 'failed', reason: `was killed by ${signal}`, retryable: true, ...base };
  }
  const reason = `exited with status ${exitCode}`;
  if (exitCode === 0) return { kind: 'ok', reason, ...base };
  if (exitCode === 127 || exitCode === 126) {
    const why = exitCode === 127 ? 'command not found' : 'not executable';
    return {
      kind: 'failed',
      reason: `${reason} (${why})`,
      retryable: true,
      notFound: true,
      ...base,
    };
  }
  return { kind: 'failed', reason, retryable: true, status: exitCode ?? undefined, ...base };
}
