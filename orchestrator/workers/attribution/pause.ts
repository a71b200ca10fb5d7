/**
 * Why a worker's output is not being read: several parts of the engine may ask (a full stdout,
 * the ordered merge's window), and reading resumes only when none does.
 */
export class PauseReasons {
  readonly #reasons = new Set<string>();

  /** Adds a reason; returns true when this is the first, so the stream must be paused now. */
  add(reason: string): boolean {
    const first = this.#reasons.size === 0;
    this.#reasons.add(reason);
    return first;
  }

  /** Removes a reason; returns true when none is left, so the stream must resume now. */
  remove(reason: string): boolean {
    if (!this.#reasons.delete(reason)) return false;
    return this.#reasons.size === 0;
  }

  get paused(): boolean {
    return this.#reasons.size > 0;
  }
}
