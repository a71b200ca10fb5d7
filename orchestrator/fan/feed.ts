import type { Block } from '../workers/block.js';
import { type Reading, readInput } from './reading.js';
import type { Recovery } from './recovery.js';
import type { Stats } from './stats.js';

// The fan engine's input side (engine.ts): the reading loop (reading.ts) run into the queues,
// which it waits for while they are full.

/** What feeding the queues needs of the engine. */
export interface Feeding
  extends Pick<
    Reading,
    'options' | 'log' | 'input' | 'sizes' | 'dispatcher' | 'header' | 'taken' | 'stopping'
  > {
  stats: Stats;
  recovery: Recovery;
  /** Whether the fan is stopping. */
  stopped(): boolean;
  /** Reading failed where the reading loop cannot throw it (a block left in its file). */
  readFailed(error: unknown): void;
}

/** Reads the fan's input into its queues, as fast as the workers take it. */
export class Feed {
  readonly #fan: Feeding;
  #wake: (() => void) | null = null;
  /** Closes an input file read as ranges, at the end of the run. */
  #closeInput: () => void | Promise<void> = () => {};

  constructor(fan: Feeding) {
    this.#fan = fan;
  }

  async readAll(): Promise<void> {
    const { options, log, input, sizes, dispatcher, header, recovery, taken } = this.#fan;
    await readInput({
      options,
      log,
      input,
      sizes,
      dispatcher,
      header,
      taken,
      stopping: this.#fan.stopping,
      workersEnded: recovery.ended,
      add: (block) => this.#add(block),
      roomForMore: () => this.#roomForMore(),
      stopped: () => this.#fan.stopped() || recovery.haltingSoon,
      failed: (error) => this.#fan.readFailed(error),
      closeAtEnd: (close) => {
        this.#closeInput = close;
      },
    });
    dispatcher.endInput();
    recovery.settle();
  }

  /** Reading, when it waits for room, looks again. */
  wake(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Closes what reading kept open to the end of the run (and waits for what it started). */
  async closeAtEnd(): Promise<void> {
    await this.#closeInput();
  }

  #add(block: Block): void {
    const { dispatcher, recovery } = this.#fan;
    if (recovery.haltingSoon) return;
    recovery.wakeResting();
    // Added first: a block cut without counting its records is numbered as it is split.
    dispatcher.add(block);
    this.#fan.stats.read(block);
  }

  /** Resolves once the queues have room again: the input waits while they are full. */
  async #roomForMore(): Promise<void> {
    const { sizes, dispatcher, recovery } = this.#fan;
    // Read on while a block's worth waits, or less: with the one read next that is two blocks
    // waiting, enough to keep every worker busy; more would only hold memory (a limit of two
    // let a third wait: with `--block 32M`, 32 MB more held for nothing).
    const limit = sizes.current;
    while (!this.#fan.stopped() && !recovery.haltingSoon && dispatcher.queuedBytes > limit) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}
