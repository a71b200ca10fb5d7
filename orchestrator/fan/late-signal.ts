/**
 * A signal heard once a fan was stopping already for another reason (a failure, --halt): there
 * is nothing more to stop, but the run may be waiting on a write its reader does not take. The
 * run then waits no more and ends by the signal, as it does when the signal comes first.
 */
export class LateSignal {
  #signal: NodeJS.Signals | null = null;
  #heard!: () => void;
  readonly #wait = new Promise<void>((resolve) => {
    this.#heard = resolve;
  });

  get signal(): NodeJS.Signals | null {
    return this.#signal;
  }

  hear(signal: NodeJS.Signals): void {
    if (this.#signal !== null) return;
    this.#signal = signal;
    this.#heard();
  }

  /** Waits for `work`, or until a signal is heard. */
  until(work: Promise<void>): Promise<void> {
    return Promise.race([work, this.#wait]);
  }
}
