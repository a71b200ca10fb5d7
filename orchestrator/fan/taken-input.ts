import { ExitCode, formatSize, ManifoldError, recordTooLarge } from '../../filters/index.js';
import { describeStartError, isOutOfResources } from '../workers/limits.js';
import { takeInput } from '../workers/registry.js';
import type { InputEnd } from '../workers/relay.js';
import type { FanOptions, Log } from './options.js';
import type { TakenInput } from './parts.js';
import { spell } from './spelling.js';

// The fan's input taken by its workers' helper (parts.ts `TakenInput`): the process starter
// reads the pipe and moves it into the workers' pipes itself (spawner-python-input.ts), and
// manifold reads none of it; it waits for the input's end, or for the fan to stop.

/**
 * Hands the input to the workers' helper and waits for its end; throws what reading would
 * have thrown (a record over --max-record, named by its byte; an error reading the pipe).
 */
export async function readTaken(
  options: FanOptions,
  log: Log,
  taken: TakenInput,
  stopped: AbortSignal,
  workersEnded: Promise<void>,
): Promise<void> {
  log(
    `input: the process starter reads the pipe itself and moves it into the workers' pipes by splice, pieces of whole records of at most ${formatSize(taken.cap)}, each to the worker with most room: none of it passes through manifold`,
  );
  const { kind, inputFd, maxRecord } = options;
  const taking = takeInput(kind, inputFd ?? 0, taken.delimiter, maxRecord, taken.cap);
  if (taking === null) throw new Error('the workers cannot take the input: no process starter');
  // Every worker ended before the input did (`head -n 1`): the rest goes unread, as when
  // manifold reads it, and as in a shell's pipe.
  const end = await Promise.race([
    taking.ended,
    whenAborted(stopped),
    workersEnded.then(() => null),
  ]);
  if (end === null) taking.stop();
  else failIfNot(end, maxRecord, spell(options, 'maxRecord'));
}

function failIfNot(end: InputEnd, maxRecord: number, name: string): void {
  switch (end.kind) {
    case 'ended':
      return;
    case 'tooLarge':
      // Named as a pipe read without counting names it: by where it starts.
      throw recordTooLarge({ input: 'input', byte: end.byte }, maxRecord, end.size, false, name);
    case 'failed':
      if (end.message !== undefined) throw new Error(end.message);
      // No thread to take it (out of processes): as when the system refuses a worker's start.
      if (isOutOfResources({ code: end.code })) {
        throw new ManifoldError(
          'manifold.io',
          `the workers cannot take the input: ${describeStartError({ code: end.code })}`,
          { exitCode: ExitCode.usage },
        );
      }
      throw Object.assign(new Error(end.code), { code: end.code, syscall: 'read' });
  }
}

function whenAborted(signal: AbortSignal): Promise<null> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(null);
    else signal.addEventListener('abort', () => resolve(null), { once: true });
  });
}
