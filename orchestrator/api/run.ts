import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../../filters/index.js';
import { checkConfig } from '../config/check.js';
import { checkFileToWrite } from '../config/io.js';
import { fanNotes, type Pipeline } from '../config/model.js';
import { variableNameProblem } from '../config/variables.js';
import { type PipelineIO, PipelineRun } from '../pipeline/run.js';
import type { PipelineStats } from '../pipeline/sampler.js';
import { helpersEnded } from '../workers/registry.js';
import { checkNames } from './checks.js';
import { AbortError, OutputClosedError, RunError } from './errors.js';
import { checkOutput, type Input, type Output, outputDescriptor } from './io.js';
import { Plumbing } from './plumbing.js';
import {
  type ApiReporter,
  checkReporter,
  checkStderr,
  type StderrOption,
  toEngine,
} from './report.js';
import { StderrTail } from './stderr-tail.js';

/** A config as its YAML or JSON file holds it: `{ input?, output?, env?, stages, pipelines? }`. */
export type PipelineConfig = Record<string, unknown>;

/** What a pipeline run did: the `manifold run --stats` document. */
export type RunSummary = { status: number } & PipelineStats;

/** Where a pipeline run reads and writes, its variables, and what stops it. */
export interface RunIO {
  /** Values for `${NAME}` in the config, over the process's environment (`--set NAME=VALUE`). */
  set?: Record<string, string>;
  /** The input, instead of the config's `input`: a Readable, a path, paths, a descriptor. */
  input?: Input;
  /**
   * The output, instead of the config's `output`: a Writable (ended at the end), a path
   * (written whole or not at all, as a config's output), or a descriptor (the caller's: left
   * open).
   */
  output?: Output;
  /** Stops the run: every stage is stopped, and the promise rejects with an AbortError. */
  signal?: AbortSignal;
  /**
   * Where the stages' stderr (and the fans' workers') goes: `'collect'` keeps the last lines
   * for a failure's error, `'inherit'` is the process's stderr, or a Writable. @default 'collect'
   */
  stderr?: StderrOption;
  /** Where failure lines and `verbose` lines go, as FanOptions.reporter. @default none */
  reporter?: ApiReporter;
  /** Say what manifold decides for the fans, on the reporter. @default false */
  verbose?: boolean;
}

const IO_NAMES = new Set(['set', 'input', 'output', 'signal', 'stderr', 'reporter', 'verbose']);

/**
 * Runs a pipeline config: a file's path, or the config itself as an object (relative paths in
 * it are taken from the current folder). Resolves to its summary; rejects with a coded
 * ManifoldError (a ConfigError, code `manifold.usage`, lists every problem of a config).
 */
export async function run(config: string | PipelineConfig, io: RunIO = {}): Promise<RunSummary> {
  // null was a TypeError of Node's own (`Cannot convert undefined or null to object`).
  if (typeof io !== 'object' || io === null)
    throw new UsageError(`the second argument must be an object: { ${[...IO_NAMES].join(', ')} }`);
  checkNames(io, IO_NAMES, 'run option');
  if (io.signal !== undefined && !(io.signal instanceof AbortSignal))
    throw new UsageError('signal must be an AbortSignal');
  const reporter = checkReporter(io.reporter, { verbose: io.verbose });
  const stderr = checkStderr(io.stderr);
  let pipeline = load(config, io.set);
  if (io.output !== undefined) checkOutput(io.output);
  // A file to write whole: its folder must be there, as for a config's output, a usage error
  // before the run starts rather than manifold.io as it opens (`ENOENT: ...`).
  if (typeof io.output === 'string' && outputDescriptor(io.output) === null)
    checkFileToWrite(resolve(io.output), `output "${io.output}"`, (message) => {
      throw new UsageError(message);
    });
  if (io.input === undefined && pipeline.inputs === null)
    throw new UsageError('input is required: the config has none, and run reads no stdin');
  if (io.output === undefined && pipeline.output === null)
    throw new UsageError('output is required: the config has none, and run writes no stdout');
  if (io.signal?.aborted) throw new AbortError(io.signal.reason);
  const log = io.verbose ? (line: string) => reporter!.write(`manifold: ${line}\n`) : () => {};
  for (const note of fanNotes(pipeline.stages)) log(note);
  const failures: string[] = [];
  const tail = stderr === 'collect' ? new StderrTail(false) : null;
  const { reporter: fanReporter, workerStderr } = toEngine(reporter, failures, stderr, tail, false);
  const plumbing = new Plumbing();
  const runIO: PipelineIO = {
    failure: fanReporter.failure!,
    fans: { reporter: fanReporter, ...(workerStderr === undefined ? {} : { workerStderr }) },
  };
  try {
    if (workerStderr !== undefined) runIO.stderrFd = plumbing.from(workerStderr.stream, false);
    pipeline = plumbing.input(pipeline, io.input, runIO);
    pipeline = plumbing.output(pipeline, io.output, runIO);
  } catch (error) {
    plumbing.closeAll();
    throw error;
  }
  const runner = new PipelineRun(pipeline, log, runIO);
  // Heard until the output is all out, not only while stages run: an abort while a stalled
  // Writable holds the rest ends the run then too (it waited for ever).
  let aborted = false;
  const abort = () => {
    aborted = true;
    runner.stop('SIGTERM');
    plumbing.abandon();
  };
  io.signal?.addEventListener('abort', abort, { once: true });
  // The caller's input or output stream failed: the stages are stopped, and the run fails.
  plumbing.onBroken(() => runner.stop('SIGTERM'));
  let end: Awaited<ReturnType<PipelineRun['run']>>;
  try {
    end = await runner.run(null, true);
  } finally {
    await plumbing.finish();
    io.signal?.removeEventListener('abort', abort);
    await helpersEnded();
  }
  const { broken } = plumbing;
  if (broken !== null) {
    fanReporter.failure!(broken.line);
    const stats = end.kind === 'done' ? { status: ExitCode.failure, ...end.stats } : undefined;
    throw new RunError(ExitCode.failure, failures, tail?.lines() ?? [], stats, broken.cause);
  }
  if (end.kind === 'signal' || aborted) throw new AbortError(io.signal?.reason);
  if (end.kind === 'closed') throw new OutputClosedError();
  const summary = { status: end.status, ...end.stats };
  if (end.status === ExitCode.ok) return summary;
  throw new RunError(end.status, failures, tail?.lines() ?? [], summary);
}

function load(config: string | PipelineConfig, set: Record<string, string> | undefined): Pipeline {
  if (set !== undefined && (typeof set !== 'object' || set === null))
    throw new UsageError('set must be an object of strings, { NAME: "value" }');
  for (const name of Object.keys(set ?? {})) {
    const problem = variableNameProblem(name);
    if (problem !== null) throw new UsageError(`set ${problem}`);
  }
  const variables = { ...process.env, ...set };
  if (typeof config === 'string') return checkConfig(config, variables, undefined, 'caller');
  if (typeof config !== 'object' || config === null)
    throw new UsageError('config must be a config file path or a config object');
  // JSON is YAML: the checks then point at lines of this text, as they would in a file.
  let text: string;
  try {
    text = JSON.stringify(config, null, 2);
  } catch (error) {
    // A cycle, a BigInt: not what a config file can hold.
    throw new UsageError(
      `config must be plain data, as JSON holds it: ${(error as Error).message}`,
      error,
    );
  }
  return checkConfig('<config>', variables, text, 'caller');
}
