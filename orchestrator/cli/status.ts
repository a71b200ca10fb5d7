import { ExitCode } from '../../filters/index.js';

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
      dieOfSigpipe();
      return 141;
    case 'signal':
      return end.signal === 'SIGINT'
        ? ExitCode.interrupted
        : end.signal === 'SIGHUP'
          ? 129
          : ExitCode.terminated;
  }
}

/** Node ignores SIGPIPE; adding and removing a listener gives it back its default: death. */
function dieOfSigpipe(): void {
  const ignore = () => {};
  process.on('SIGPIPE', ignore);
  process.off('SIGPIPE', ignore);
  process.kill(process.pid, 'SIGPIPE');
}
