import {
  describeError,
  errnoText,
  ManifoldError,
  RecordError,
  type RecordPosition,
} from '../../filters/index.js';
import { systemReason } from '../options/inputs.js';
import type { Block, RangeNamer } from '../workers/block.js';
import type { OutputFailure } from '../workers/relay.js';
import type { FanOptions } from './options.js';
import { outputRecordTooLarge, outputSource } from './whole.js';

// The lines a fan says when its own input or output fails (engine.ts), apart from the engine's
// decisions: which stream, and why, in the words a user reads.

/**
 * The output's stream failed: a system call's error as the default writer says it (`no space
 * left on device (ENOSPC)`); any other (a Writable's own, perhaps with a code of its own) as it
 * is. `what`: `stdout`, or `the output` (the library's stream).
 */
/**
 * What a fan's output is called in messages: the library's stream `the output`, stdout, a
 * pipeline's output file by its name, or `its output` (a pipe to the next stage).
 */
export function outputName(
  options: Pick<FanOptions, 'output' | 'outputFd' | 'outputFdName'>,
): string {
  if (options.output !== undefined) return 'the output';
  return options.outputFdName ?? ((options.outputFd ?? 1) === 1 ? 'stdout' : 'its output');
}

export function outputErrorLine(error: NodeJS.ErrnoException, what: string): string {
  const system = systemReason(error) !== null && error.code !== undefined;
  return `cannot write ${what}: ${system ? errnoText(error.code!) : streamReason(error)}`;
}

/**
 * A caller's stream's own error (the library's input or output), as `run` says it: its message,
 * after its kind's name when it is not a plain `Error` (`TypeError: ...`).
 */
function streamReason(error: unknown): string {
  if (error instanceof Error && error.name === 'Error' && error.message !== '')
    return error.message;
  return describeError(error);
}

/**
 * Output a worker's side writes itself (relayed) failed, with the message manifold's own merge
 * gives: stdout not writable, or a record over --max-record, named by the worker and `block`
 * where the output was that block's. Null when its reader closed it.
 */
export function relayedOutputLine(
  worker: { slot: number },
  failure: OutputFailure,
  maxRecord: number,
  maxRecordName?: string,
  block?: Block,
  places?: RangeNamer,
  output = 'stdout',
): string | null {
  if (failure.kind === 'closed') return null;
  if (failure.kind === 'error') return `cannot write ${output}: ${errnoText(failure.code)}`;
  const source = outputSource(worker, block, places);
  return describeError(outputRecordTooLarge(source, maxRecord, failure.bytes, maxRecordName));
}

/**
 * Reading the input failed: the input named (the splitters number records, not name them), a
 * record by `where` its place lies when it can tell (one of several files: input-places.ts).
 */
export function readErrorLine(
  error: unknown,
  name: string,
  where?: (position: RecordPosition) => RecordPosition | null,
): string {
  if (error instanceof RecordError) {
    const place = where?.(error.position) ?? null;
    return describeError(place === null ? error.in(name) : error.at(place));
  }
  const reason = systemReason(error);
  if (reason !== null)
    return `cannot read ${(error as NodeJS.ErrnoException).path ?? name}: ${reason}`;
  if (error instanceof ManifoldError) return error.message;
  // A caller's Readable (its records are named `input:N`) is "the input", as `run` says.
  return `cannot read ${name === 'input' ? 'the input' : name}: ${streamReason(error)}`;
}
