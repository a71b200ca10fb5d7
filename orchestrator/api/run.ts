import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { finished, type Writable } from 'node:stream';
import { ExitCode, UsageError } from '../../filters/index.js';
import { checkConfig } from '../config/check.js';
import { variableNameProblem } from '../config/load.js';
import { fanNotes, type Pipeline } from '../config/model.js';
import { changeMaxListeners } from '../fan/listener-limit.js';
import { openPipes } from '../pipeline/pipes.js';
import { type PipelineIO, PipelineRun } from '../pipeline/run.js';
import type { PipelineStats } from '../pipeline/sampler.js';
import { helpersEnded } from '../workers/registry.js';
import { AbortError, OutputClosedError, RunError } from './errors.js';
import { checkOutput, type Input, type Output, resolveInput } from './io.js';
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
   * (written whole or not at all, as a config's output), or a descriptor (closed at the end).
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
  for (const name of Object.keys(io))
    if (!IO_NAMES.has(name))
      throw new UsageError(`unknown run option "${name}" (known: ${[...IO_NAMES].join(', ')})`);
  if (io.signal !== undefined && !(io.signal instanceof AbortSignal))
    throw new UsageError('signal must be an AbortSignal');
  const reporter = checkReporter(io.reporter, { verbose: io.verbose });
  const stderr = checkStderr(io.stderr);
  let pipeline = load(config, io.set);
  if (io.output !== undefined) checkOutput(io.output);
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
  const abort = () => runner.stop('SIGTERM');
  io.signal?.addEventListener('abort', abort, { once: true });
  // The caller's input or output stream failed: the stages are stopped, and the run fails.
  plumbing.onBroken(() => runner.stop('SIGTERM'));
  let end: Awaited<ReturnType<PipelineRun['run']>>;
  try {
    end = await runner.run(null, true);
  } finally {
    io.signal?.removeEventListener('abort', abort);
    await plumbing.finish();
    await helpersEnded();
  }
  const { broken } = plumbing;
  if (broken !== null) {
    fanReporter.failure!(broken.line);
    const stats = end.kind === 'done' ? { status: ExitCode.failure, ...end.stats } : undefined;
    throw new RunError(ExitCode.failure, failures, tail?.lines() ?? [], stats, broken.cause);
  }
  if (end.kind === 'signal') throw new AbortError(io.signal?.reason);
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
  if (typeof config === 'string') return checkConfig(config, variables);
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
  return checkConfig('<config>', variables, text);
}

/**
 * The kernel pipes between a pipeline (descriptors all the way) and the caller's streams: a
 * Readable is copied into a pipe the first stage reads, a pipe the last stage writes is
 * copied into a Writable, the stages' stderr into its target.
 */
class Plumbing {
  readonly #ours: number[] = [];
  readonly #copies: Promise<void>[] = [];
  readonly #cleanups: (() => void)[] = [];
  /** The caller's input or output failed: the run's one failure line, and the stream's error. */
  broken: { line: string; cause: unknown } | null = null;
  #onBroken: () => void = () => {};

  /** What to do once the caller's input or output fails (stop the stages). */
  onBroken(stop: () => void): void {
    this.#onBroken = stop;
    if (this.broken !== null) stop();
  }

  #break(line: string, cause: unknown): void {
    if (this.broken !== null) return;
    this.broken = { line, cause };
    this.#onBroken();
  }

  input(pipeline: Pipeline, input: Input | undefined, io: PipelineIO): Pipeline {
    if (input === undefined) return pipeline;
    const engine = resolveInput(input);
    if (engine.inputs !== null)
      return { ...pipeline, inputs: engine.inputs.map((f) => resolve(f)) };
    if (engine.inputFd !== undefined) {
      io.inputFd = engine.inputFd;
      return pipeline;
    }
    const [pipe] = openPipes(1);
    io.inputFd = pipe!.read;
    const socket = new Socket({ fd: pipe!.write, readable: false, writable: true });
    // The first stage may stop reading early (head): not an error of the run's.
    socket.on('error', () => {});
    const readable = engine.input!;
    // An input that fails or is destroyed before its end fails the run: its end would
    // otherwise look like the input's (a short output, status 0), or never come.
    this.#cleanups.push(
      finished(readable, { writable: false }, (error) => {
        if (error == null) return;
        socket.destroy();
        this.#break(`cannot read the input: ${messageOf(error)}`, error);
      }),
    );
    readable.pipe(socket);
    return pipeline;
  }

  output(pipeline: Pipeline, output: Output | undefined, io: PipelineIO): Pipeline {
    if (output === undefined) return pipeline;
    if (typeof output === 'string') return { ...pipeline, output: resolve(output) };
    if (typeof output === 'number') {
      io.outputFd = output;
      return pipeline;
    }
    io.outputFd = this.from(output, true);
    return pipeline;
  }

  /** A pipe whose read end is copied into `target`; returns the write end, for the stages. */
  from(target: Writable, end: boolean): number {
    const [pipe] = openPipes(1);
    if (!end) this.#ours.push(pipe!.write);
    const source = new Socket({ fd: pipe!.read, readable: true, writable: false });
    this.#copies.push(
      new Promise<void>((done) => {
        // Done once the copy is over: with `end`, once the target has written it all (pipe
        // never ends process.stdout or stderr: there, once the source has ended).
        const ends = end && target !== process.stdout && target !== process.stderr;
        const over = ends ? target : source;
        for (const event of [ends ? 'finish' : 'end', 'error', 'close'])
          over.once(event, () => done());
        if (ends) source.once('error', () => done());
        if (end) this.#watchOutput(target, source);
        source.pipe(target, { end });
      }),
    );
    return pipe!.write;
  }

  /**
   * The output failing or destroyed before its end: the pipe from the last stage is closed, so
   * that it meets EPIPE as at a closed reader, instead of waiting for ever on a full pipe. A
   * destroyed output is a reader gone (`manifold.outputClosed`); one that failed fails the run.
   */
  #watchOutput(target: Writable, source: Socket): void {
    // Runs that write to one stream at once each listen to it, here and through the pipe: two
    // listeners of 'close' and of 'error' each.
    changeMaxListeners(target, 2);
    const closed = () => {
      if (!target.writableFinished) source.destroy();
    };
    const failed = (error: unknown) => {
      source.destroy();
      this.#break(`cannot write the output: ${messageOf(error)}`, error);
    };
    target.once('close', closed);
    target.once('error', failed);
    this.#cleanups.push(() => {
      target.off('close', closed);
      target.off('error', failed);
      changeMaxListeners(target, -2);
    });
  }

  /** Closes our copies of the write ends and waits for every copy to finish. */
  async finish(): Promise<void> {
    this.closeAll();
    await Promise.all(this.#copies);
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  closeAll(): void {
    for (const fd of this.#ours.splice(0)) closeSync(fd);
  }
}

/** A stream's error as a line says it: its message ("disk full", "Premature close"). */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
