import { ExitCode } from '../../filters/index.js';
import type { Reporter } from './options.js';

// What a fan's failures make of its run (engine.ts, recovery.ts): each said in one line to the
// reporter, and the exit status they add up to.

/** Whether a fan has failed, or met a command not found; says each failure. */
export class Verdict {
  readonly #reporter: Reporter;
  readonly #label: string;
  #failed = false;
  #notFound = false;
  #misfit = false;
  readonly #statuses = new Set<number>();

  /** `label` names the fan in failure messages when it is a stage of a pipeline. */
  constructor(reporter: Reporter, label: string) {
    this.#reporter = reporter;
    this.#label = label;
  }

  /**
   * A block failed for good, or the run could not go on: the run has failed. `status`: the exit
   * status of the worker whose failure it was, when it exited with one.
   */
  failed(status?: number): void {
    this.#failed = true;
    if (status !== undefined) this.#statuses.add(status);
  }

  /** The exit statuses of the workers whose failures failed the run (a hint may name one). */
  get statuses(): ReadonlySet<number> {
    return this.#statuses;
  }

  /** A worker's command was not found: the run's status says so. */
  notFound(): void {
    this.#notFound = true;
  }

  /** A worker's command cannot serve the fan at all: the run is a usage error. */
  misfit(): void {
    this.#misfit = true;
  }

  /** A failure's one line for the reporter (stderr), naming the stage when the fan is one of a pipeline. */
  say(message: string): void {
    const line = `${this.#label === '' ? '' : `stage ${this.#label}: `}${message}`;
    const reporter = this.#reporter;
    if (reporter.failure !== undefined) reporter.failure(line);
    else reporter.write(`manifold: ${line}\n`);
  }

  status(): number {
    if (this.#notFound) return ExitCode.notFound;
    if (this.#misfit) return ExitCode.usage;
    return this.#failed ? ExitCode.failure : ExitCode.ok;
  }
}
