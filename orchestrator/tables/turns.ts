/**
 * Turns of the event loop during a build's long synchronous work. Reading, sorting and appending
 * millions of records run without one (reads are synchronous, the sort and LMDB's puts too), and
 * signals are handled only on a turn: a SIGINT sent a second into a 4 M-record build was
 * handled ten seconds later, when the build ended. The work asks for a turn between its steps
 * and gets one once `INTERVAL_MS` have passed since the last.
 */
export class LoopTurns {
  static readonly INTERVAL_MS = 50;
  #last = performance.now();

  /** Whether a turn is due (a clock read: ask once per step of some work, not per record). */
  get due(): boolean {
    return performance.now() - this.#last >= LoopTurns.INTERVAL_MS;
  }

  /** Lets the loop turn if one is due. */
  async take(): Promise<void> {
    if (!this.due) return;
    await signalsHandled();
    this.#last = performance.now();
  }
}

/**
 * Resolves once the event loop has polled for what came meanwhile, signals included. An
 * immediate may run in the same turn as the last poll; one set from it runs after the next poll.
 */
export async function signalsHandled(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}
