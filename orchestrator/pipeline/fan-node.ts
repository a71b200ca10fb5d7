import { Fan } from '../fan/engine.js';
import type { FanOptions } from '../fan/options.js';
import { type CommandSpec, commandText } from '../workers/command.js';
import { selectsNothing } from '../workers/nothing-found.js';
import type { NodeEnd, RunningNode } from './node.js';

/** A fan stage running inside manifold, between two pipes of the pipeline. */
export class FanNode implements RunningNode {
  readonly label: string;
  readonly description: string;
  readonly ended: Promise<NodeEnd>;
  readonly #fan: Fan;
  readonly #command: CommandSpec;
  #stopSent = false;

  constructor(label: string, options: FanOptions, log: (line: string) => void) {
    this.label = label;
    this.#command = options.command;
    this.description = `fan of ${options.workers}: ${commandText(options.command)}`;
    // What the fan says as it runs (a block tried again, --verbose) names its stage, as its
    // failures do.
    this.#fan = new Fan(options, (line) => log(`stage ${label}: ${line}`), label);
    this.ended = this.#fan.run(null).then((end) => {
      const endedAt = Date.now();
      if (end.kind === 'closed') return { exitCode: 0, signal: null, closedOutput: true, endedAt };
      if (end.kind === 'signal')
        return { exitCode: null, signal: end.signal, closedOutput: false, endedAt };
      return {
        exitCode: end.status,
        signal: null,
        closedOutput: false,
        endedAt,
        reported: end.status !== 0,
      };
    });
  }

  get pids(): number[] {
    return this.#fan.pids;
  }

  records(): { in: number; out: number } {
    const { totals } = this.#fan.summary() as { totals: { recordsIn: number; recordsOut: number } };
    return { in: totals.recordsIn, out: totals.recordsOut };
  }

  bytes(): { read: number; written: number } {
    const { totals } = this.#fan.summary() as { totals: { bytesIn: number; bytesOut: number } };
    return { read: totals.bytesIn, written: totals.bytesOut };
  }

  /**
   * The first stop begins the fan's own (its `termseq`); SIGKILL, the run's hurry (a second
   * signal to manifold), cuts it short. A stop again (a feeder stopped, then the whole run) is
   * no second signal: the fan's, taken so, would kill its workers at once.
   */
  stop(signal: NodeJS.Signals): void {
    if (this.#stopSent && signal !== 'SIGKILL') return;
    this.#stopSent = true;
    this.#fan.stop({ kind: 'signal', signal });
  }

  /** A fan of `grep` failed by a worker's status 1: `manifold fan`'s hint, the config's key. */
  hint(end: NodeEnd): string | null {
    if (end.exitCode !== 1 || !this.#fan.failedStatuses.has(1)) return null;
    const program = selectsNothing(this.#command);
    if (program === null) return null;
    return `${program} exits 1 when it selects nothing; for that not to fail the run, add ok-status: [0, 1] to the fan of stage ${this.label}`;
  }
}
