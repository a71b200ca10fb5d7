import { describeError, ExitCode, ManifoldError, oneLine } from '../errors.js';

/**
 * Errors a filter's own code raises where nothing awaits them: a promise rejected with no
 * handler, an exception thrown from a callback (a timer's). Each fails the filter as an error its
 * transform threw would. Node would print a stack trace, or, since a filter reads synchronously
 * and `main()` exits as soon as its input ends, never hear of the rejection at all. Which record
 * caused one cannot be known, so its message says what kind of error it was instead.
 */
export class StrayErrors {
  /** Rejects with the first stray error, while a wait is open (`beginWait`). */
  readonly failed: Promise<never>;
  #first: StrayError | null = null;
  #fail!: (error: StrayError) => void;
  #waits = 0;
  readonly #onRejection = (reason: unknown) => this.#take(reason, 'unhandledRejection');
  readonly #onException = (error: unknown, origin: string) => this.#take(error, origin);
  /**
   * The event loop ran out while the filter's own code was awaited: nothing is left that could
   * settle its promise, and Node would exit 0 with the rest of the input dropped.
   */
  readonly #onDrained = () => {
    if (this.#waits === 0 || this.#first !== null) return;
    this.#first = new StrayError(
      "a promise of the filter's never settled, and nothing is left that could settle it",
      undefined,
    );
    this.#fail(this.#first);
  };

  constructor() {
    this.failed = new Promise<never>((_, reject) => {
      this.#fail = reject;
    });
    this.failed.catch(() => {});
  }

  /** Listens from here on: until `stop`, the process no longer dies of these itself. */
  start(): void {
    process.on('unhandledRejection', this.#onRejection);
    process.on('uncaughtException', this.#onException);
    process.on('beforeExit', this.#onDrained);
  }

  stop(): void {
    process.off('unhandledRejection', this.#onRejection);
    process.off('uncaughtException', this.#onException);
    process.off('beforeExit', this.#onDrained);
  }

  /** `work`, unless `failed` rejects first. */
  race<T>(work: T | PromiseLike<T>): Promise<T> {
    return Promise.race([work, this.failed]);
  }

  /**
   * Opens a wait that a stray error ends at once (`failed` rejects): one for the filter's own
   * code, which may never settle once a callback of its own threw (and with nothing else to wait
   * for, the process would exit 0), or one where nothing is left half written if cut short.
   * Elsewhere a stray error waits for `check` or `settle`. Closed by `endWait`.
   */
  beginWait(): void {
    this.#waits++;
    if (this.#first !== null) this.#fail(this.#first);
  }

  endWait(): void {
    this.#waits--;
  }

  /** Throws the first stray error, if one came. */
  check(): void {
    if (this.#first !== null) throw this.#first;
  }

  /**
   * Lets a turn of the event loop pass, then throws the first stray error, if any: Node hears of
   * a rejection left unhandled only once the microtasks run out, which a filter reading
   * synchronously never lets happen until it is done.
   */
  async settle(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.check();
  }

  #take(error: unknown, origin: string): void {
    if (this.#first !== null) return;
    const what = origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception';
    this.#first = new StrayError(`${what}: ${oneLine(describeError(error))}`, error);
    if (this.#waits > 0) this.#fail(this.#first);
  }
}

/** A stray error, reported as it is: it belongs to no record. */
export class StrayError extends ManifoldError {
  constructor(message: string, cause: unknown) {
    super('manifold.failure', message, { exitCode: ExitCode.failure, cause });
    this.name = 'StrayError';
  }
}
