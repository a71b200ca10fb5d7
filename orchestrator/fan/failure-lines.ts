import { describeError, RecordError } from '../../filters/index.js';
import { errnoText, systemReason } from '../options/inputs.js';
import type { OutputFailure } from '../workers/transport.js';
import { outputRecordTooLarge } from './whole.js';

// The lines a fan says when its own input or output fails (engine.ts), apart from the engine's
// decisions: which stream, and why, in the words a user reads.

/**
 * The output's stream failed: a system call's error as the default writer says it (`no space
 * left on device (ENOSPC)`); any other (a Writable's own, perhaps with a code of its own) as it
 * is. `what`: `stdout`, or `the output` (the library's stream).
 */
export function outputErrorLine(error: NodeJS.ErrnoException, what: string): string {
  const system = systemReason(error) !== null && error.code !== undefined;
  return `cannot write ${what}: ${system ? errnoText(error.code!) : describeError(error)}`;
}

/**
 * Output a worker's side writes itself (relayed) failed, with the message the ready merge gives:
 * stdout not writable, or a record over --max-record. Null when its reader closed it.
 */
export function relayedOutputLine(failure: OutputFailure, maxRecord: number): string | null {
  if (failure.kind === 'closed') return null;
  if (failure.kind === 'error') return `cannot write stdout: ${errnoText(failure.code)}`;
  return describeError(outputRecordTooLarge(maxRecord, failure.bytes));
}

/** Reading the input failed: the input named (the splitters number records, not name them). */
export function readErrorLine(error: unknown, name: string): string {
  if (error instanceof RecordError) return describeError(error.in(name));
  const reason = systemReason(error);
  if (reason !== null)
    return `cannot read ${(error as NodeJS.ErrnoException).path ?? name}: ${reason}`;
  return describeError(error);
}
