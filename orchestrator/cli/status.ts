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
      // Ctrl-C): die of the signal instead, which a shell reports with the same status. A
      // stderr whose reader went ends as a filter killed by SIGPIPE does, quietly.
      if (end.signal === 'SIGPIPE' || writeInFlight()) dieOf(end.signal);
      return end.signal === 'SIGINT'
        ? ExitCode.interrupted
        : end.signal === 'SIGHUP'
          ? 129
          : end.signal === 'SIGPIPE'
            ? 141
            : ExitCode.terminated;
  }
}

/**
 * Calls `stop` on SIGINT, SIGTERM or SIGHUP; and with SIGPIPE once manifold's stderr is a pipe
 * whose reader has gone (a write of it failed with EPIPE), where a program would die of SIGPIPE.
 * Node ignores SIGPIPE and would instead crash on the stream's error, its workers left running
 * (`manifold run c.yaml 2>&1 >out | head -c 100` with workers' stderr under `tag`).
 */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  // Any other error of stderr has nowhere to be said; the run goes on.
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop('SIGPIPE');
  });
}

/**
 * Ends the process by `signal`'s default action, death. Node ignores SIGPIPE and manifold
 * listens for the others: adding a listener and removing them all gives back the default.
 */
export function dieOf(signal: NodeJS.Signals): void {
  process.on(signal, () => {});
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}
