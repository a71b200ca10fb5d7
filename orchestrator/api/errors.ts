import { type ErrorCode, ExitCode, ManifoldError } from '../../filters/index.js';

/**
 * A fan or a pipeline that ran and failed: a worker or a stage failed (`manifold.failure`), a
 * command was not found (`manifold.notFound`), or a worker could not be started
 * (`manifold.usage`). The message is the failures' lines, then the last lines the failing
 * workers wrote on stderr when they were collected.
 */
export class RunError<Summary = unknown> extends ManifoldError {
  /** Each failure's line, as the command line prints it after `manifold: `. */
  readonly failures: string[];
  /** The last lines of the failing workers' stderr (when collected, the default). */
  readonly stderr: string[];
  /** What the run did before it failed: the --stats document. */
  readonly summary: Summary | undefined;

  /** `cause`: the error behind the failure, where there is one (the input stream's). */
  constructor(
    status: number,
    failures: string[],
    stderr: string[],
    summary: Summary | undefined,
    cause?: unknown,
  ) {
    const lines = failures.length > 0 ? failures : [`the run ended with status ${status}`];
    const tail = stderr.length > 0 ? `\nlast lines of stderr:\n${stderr.join('\n')}` : '';
    super(codeOf(status), `${lines.join('\n')}${tail}`, { exitCode: status, cause });
    this.name = 'RunError';
    this.failures = failures;
    this.stderr = stderr;
    this.summary = summary;
  }
}

/** The run was stopped by its AbortSignal: `name` is 'AbortError', `cause` the signal's reason. */
export class AbortError extends ManifoldError {
  constructor(reason: unknown) {
    super('manifold.aborted', 'the run was aborted', {
      exitCode: ExitCode.interrupted,
      cause: reason,
    });
    this.name = 'AbortError';
  }
}

/** The output's reader went away before the end, as a closed pipe on the command line (141). */
export class OutputClosedError extends ManifoldError {
  constructor() {
    super('manifold.outputClosed', 'the output was closed before the run finished', {
      exitCode: 141,
    });
    this.name = 'OutputClosedError';
  }
}

function codeOf(status: number): ErrorCode {
  if (status === ExitCode.notFound) return 'manifold.notFound';
  if (status === ExitCode.usage) return 'manifold.usage';
  return 'manifold.failure';
}
