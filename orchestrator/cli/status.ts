import { constants } from 'node:os';
import { ExitCode } from '../../filters/index.js';
import { writeInFlight } from '../fan/output.js';
import { dieOf } from './signals.js';

export { dieOf, onStopSignals } from './signals.js';

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
      // 130, 143, 129, 141, 138 (SIGUSR1): 128 + the signal's number, as a shell says it.
      return 128 + (constants.signals[end.signal] ?? ExitCode.terminated - 128);
  }
}
