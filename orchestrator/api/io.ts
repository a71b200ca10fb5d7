import { createWriteStream, openSync, type Stats, statSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { ExitCode, ManifoldError, UsageError } from '../../filters/index.js';
import { outputErrorLine } from '../fan/failure-lines.js';
import { inputSize } from '../fan/input-fd.js';
import { endedEarly } from '../fan/output-stream.js';
import { descriptorNamed, descriptorProblem } from '../options/descriptors.js';
import { checkInputFiles, describeWriteErrno } from '../options/inputs.js';
import { deadAtCall } from './caller-errors.js';
import { OutputClosedError } from './errors.js';

/**
 * Where a run reads: a Node Readable, a file path, a list of paths read in order, or an open
 * file descriptor (a file, a pipe, a socket).
 */
export type Input = Readable | string | readonly string[] | number;

/** Where a run writes: a Node Writable, a file path (created or truncated), or a descriptor. */
export type Output = Writable | string | number;

/** An input as the engine takes it, with its size when known (for the progress line's ETA). */
export interface EngineInput {
  inputs: string[] | null;
  inputFd?: number;
  input?: Readable;
  size: number | null;
}

const INPUT_KINDS = 'a Readable stream, a file path, a list of file paths or a file descriptor';
const OUTPUT_KINDS = 'a Writable stream, a file path or a file descriptor';

/** Checks an input and says how the engine reads it; files are checked readable up front. */
export function resolveInput(input: unknown): EngineInput {
  if (input === undefined) throw new UsageError(`input is required: ${INPUT_KINDS}`);
  if (input instanceof Readable) return { inputs: null, input, size: null };
  if (typeof input === 'number') {
    checkDescriptor(input, 'input', 'read');
    return { inputs: null, inputFd: input, size: inputSize(null, [], input) };
  }
  const files = typeof input === 'string' ? [input] : input;
  if (
    !Array.isArray(files) ||
    files.length === 0 ||
    !files.every((file) => typeof file === 'string' && file !== '')
  ) {
    throw new UsageError(`input must be ${INPUT_KINDS} (got ${describe(input)})`);
  }
  const sizes = checkInputFiles(files, 'input');
  return { inputs: files, size: inputSize(files, sizes) };
}

/** Checks an output's kind, before anything is opened or started; a path among `inputs` is refused. */
export function checkOutput(output: unknown, inputs: readonly string[] | null = null): void {
  if (output === undefined) throw new UsageError(`output is required: ${OUTPUT_KINDS}`);
  if (output instanceof Writable) {
    // Failed since the call (its error held: caller-errors.ts), or before: the run fails for it,
    // as for an output that fails as it runs.
    const { errored } = output;
    if (errored !== null) {
      throw new ManifoldError('manifold.failure', outputErrorLine(errored, 'the output'), {
        exitCode: ExitCode.failure,
        cause: errored,
      });
    }
    // Given so: the caller's mistake. Ended or destroyed since the call (caller-errors.ts): its
    // reader gone, as for one destroyed while the run goes on; or ended by another.
    if (deadAtCall.has(output))
      throw new UsageError('output is a stream already ended or destroyed');
    if (output.destroyed) throw new OutputClosedError();
    if (output.writableEnded) {
      throw new ManifoldError('manifold.failure', outputErrorLine(endedEarly(), 'the output'), {
        exitCode: ExitCode.failure,
      });
    }
    return;
  }
  if (typeof output === 'number') checkDescriptor(output, 'output', 'write');
  else if (typeof output !== 'string' || output === '')
    throw new UsageError(`output must be ${OUTPUT_KINDS} (got ${describe(output)})`);
  else {
    checkNamedOutput(output);
    refuseOutputAmongInputs(output, inputs);
  }
}

/**
 * An output path naming a descriptor of the caller's (`/dev/fd/N`, `/dev/stdout`), checked as a
 * number is: one that cannot be written is the caller's mistake, manifold.usage, as a number
 * or a bad path is (not manifold.io, exit 1).
 */
export function checkNamedOutput(output: string): void {
  const fd = outputDescriptor(output);
  if (fd === null) return;
  const problem = descriptorProblem(fd, 'write');
  if (problem !== null)
    throw new UsageError(`output "${output}": descriptor ${fd} ${problem.why}`, problem.cause);
}

/**
 * A stream into the caller's descriptor `fd` (N > 2, given as a number or as `/dev/fd/N`): it
 * writes where the descriptor stands and never closes it, for fan (`openOutput`) and for run
 * (plumbing.ts), whose caller may write to it after the call.
 */
export function callerOutput(fd: number): Writable {
  return createWriteStream('', { fd, autoClose: false });
}

/**
 * The output as the engine takes it: a path is opened (created or truncated) here, last. A
 * descriptor N > 2, given as a number or as `/dev/fd/N`, is the caller's, as for run
 * (plumbing.ts): written where it stands, never closed (opened anew, it was truncated and
 * written from its start; given to the engine, it was closed at the end).
 */
export function openOutput(output: Output): { outputFd?: number; output?: Writable } {
  if (output instanceof Writable) return { output };
  if (typeof output === 'number') return writingTo(output);
  const held = outputDescriptor(output);
  if (held !== null) return writingTo(held);
  try {
    return { outputFd: openSync(output, 'w') };
  } catch (error) {
    throw new UsageError(`output ${output}: ${describeWriteErrno(error)}`, error);
  }
}

/** A descriptor as the engine takes it: the caller's (N > 2) through `callerOutput`. */
function writingTo(fd: number): { outputFd?: number; output?: Writable } {
  return fd > 2 ? { output: callerOutput(fd) } : { outputFd: fd };
}

/** The caller's descriptor an output path names (`/dev/fd/N`, `/dev/stdout`), or null. */
export const outputDescriptor = (output: string): number | null => descriptorNamed(output);

function checkDescriptor(fd: number, name: string, use: 'read' | 'write'): void {
  if (!Number.isInteger(fd) || fd < 0)
    throw new UsageError(`${name} descriptor ${fd} must be a whole number of at least 0`);
  const problem = descriptorProblem(fd, use);
  if (problem !== null)
    throw new UsageError(`${name} descriptor ${fd} ${problem.why}`, problem.cause);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value))
    return value.length === 0 ? 'an empty list' : 'an array that is not all file paths';
  if (typeof value === 'object') {
    // An async generator's constructor has no name: it read `(got a )`.
    if (Symbol.asyncIterator in value)
      return 'an async iterable: Readable.from(it) makes one a Readable';
    const kind = value.constructor;
    return kind === Object || !kind?.name ? 'an object' : `a ${kind.name}`;
  }
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/**
 * An output path that is one of the input files: opened for writing, it would be emptied before
 * a byte of it is read, and the call would resolve with nothing (as `sort f > f`). Refused,
 * manifold.usage. `run` writes a temporary file and renames it, and takes it.
 */
function refuseOutputAmongInputs(output: Output, inputs: readonly string[] | null): void {
  if (typeof output !== 'string' || inputs === null || outputDescriptor(output) !== null) return;
  let target: Stats;
  try {
    target = statSync(output);
  } catch {
    return;
  }
  if (!target.isFile()) return;
  for (const input of inputs) {
    let stat: Stats;
    try {
      stat = statSync(input);
    } catch {
      continue;
    }
    if (stat.dev === target.dev && stat.ino === target.ino) {
      throw new UsageError(
        `output ${output} is the input ${input}: opened for writing, it would be emptied before it is read (write another file, then rename it over the input)`,
      );
    }
  }
}
