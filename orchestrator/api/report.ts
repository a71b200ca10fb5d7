import { Writable } from 'node:stream';
import { UsageError } from '../../filters/index.js';
import type { Reporter } from '../fan/options.js';
import type { StderrTail } from './stderr-tail.js';

/** Where manifold's own words go: anything with `write(text)`, such as process.stderr. */
export interface ApiReporter {
  write(text: string): unknown;
  /** A terminal: the progress line is drawn only there. */
  readonly isTTY?: boolean;
}

/** Where the workers' stderr goes: see FanOptions.stderr. */
export type StderrOption = 'collect' | 'inherit' | Writable;

/** Checks the reporter, and that what needs one (verbose, progress, stats or joblog '-') has it. */
export function checkReporter(
  reporter: unknown,
  wants: { verbose?: unknown; progress?: unknown; stats?: unknown; joblog?: unknown },
): ApiReporter | undefined {
  if (
    reporter !== undefined &&
    (typeof reporter !== 'object' ||
      reporter === null ||
      typeof (reporter as ApiReporter).write !== 'function')
  ) {
    throw new UsageError('reporter must have a write(text) method, as process.stderr has');
  }
  if (reporter === undefined) {
    const needs = wants.verbose === true ? 'verbose' : wants.progress === true ? 'progress' : null;
    const dash = wants.stats === '-' ? "stats '-'" : wants.joblog === '-' ? "joblog '-'" : null;
    const what = needs ?? dash;
    if (what !== null) {
      throw new UsageError(
        `${what} writes to the reporter: give one (reporter: process.stderr), since the library writes nowhere by itself`,
      );
    }
  }
  return reporter === undefined ? undefined : guarded(reporter as ApiReporter);
}

/**
 * The reporter as the engine calls it: one whose write throws takes nothing more, as a stream
 * that fails does, and the run goes on. Its throw, from an event's callback, reached no caller:
 * it ended the caller's process (an uncaught exception), or rejected the call uncoded.
 */
function guarded(reporter: ApiReporter): ApiReporter {
  let broken = false;
  return {
    get isTTY() {
      return reporter.isTTY;
    },
    write(text) {
      if (broken) return;
      try {
        reporter.write(text);
      } catch {
        broken = true;
      }
    },
  };
}

export function checkStderr(stderr: unknown): StderrOption {
  if (stderr === undefined) return 'collect';
  if (stderr === 'collect' || stderr === 'inherit' || stderr instanceof Writable) return stderr;
  throw new UsageError(`stderr must be 'collect', 'inherit' or a Writable stream`);
}

/**
 * The engine's side of the library's choices: failures collected (and told to the reporter as
 * the command line would), workers' stderr kept, copied or inherited.
 */
export function toEngine(
  reporter: ApiReporter | undefined,
  failures: string[],
  stderr: StderrOption,
  tail: StderrTail | null,
  tag: boolean,
): { reporter: Reporter; workerStderr?: { stream: Writable; tagged: boolean; bySlot?: boolean } } {
  const engineReporter: Reporter = {
    write: (text) => reporter?.write(text),
    isTTY: reporter?.isTTY === true,
    failure: (line) => {
      failures.push(line);
      reporter?.write(`manifold: ${line}\n`);
    },
  };
  if (stderr === 'inherit') return { reporter: engineReporter };
  const workerStderr =
    tail === null
      ? { stream: stderr as Writable, tagged: tag }
      : { stream: tail, tagged: tail.tagged, bySlot: true };
  return { reporter: engineReporter, workerStderr };
}
