import { ExitCode } from '../../filters/index.js';
import { writeInFlight } from '../fan/output.js';

/** How a fan or a pipeline ended, as far as the exit status goes. */
export type End =
  | { kind: 'done'; status: number }
  | { kind: 'closed' }
  | { kind: 'signal'; signal: NodeJS.Signals };

/** The exit status for how a run ended; a closed output ends the process here and now. */
export function statusOf(end: End): number {
  switch (end.kind) {
    case 'done':
      return end.status;
    case 'closed':
      // Downstream closed the pipe: end as a filter killed by SIGPIPE does, quietly.
      dieOf('SIGPIPE');
      return 141;
    case 'signal':
      // Exiting would wait for a write to a reader that has stopped reading (`| less`, then
      // Ctrl-C): die of the signal instead, which a shell reports with the same status.
      if (writeInFlight()) dieOf(end.signal);
      return end.signal === 'SIGINT'
        ? ExitCode.interrupted
        : end.signal === 'SIGHUP'
          ? 129
          : ExitCode.terminated;
  }
}

/**
 * A signal that came once the run was stopping already (a failure): it has nothing more to
 * stop, but the run may wait on a write to a reader that has stopped reading. It then dies of
 * the signal, as it would had the signal come first.
 */
export function signalWhileStopping(signal: NodeJS.Signals): void {
  if (writeInFlight()) dieOf(signal);
}

/**
 * Ends the process by `signal`'s default action, death. Node ignores SIGPIPE and manifold
 * listens for the others: adding a listener and removing them all gives back the default.
 */
function dieOf(signal: NodeJS.Signals): void {
  process.on(signal, () => {});
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}
