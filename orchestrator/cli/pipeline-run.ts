import { isatty } from 'node:tty';
import { quoteName } from '../../filters/errors.js';
import { ExitCode, UsageError } from '../../filters/index.js';
import { checkConfig } from '../config/check.js';
import { toDot, toMermaid } from '../config/graph.js';
import { configInputName } from '../config/io.js';
import { joblogsOf } from '../config/joblogs.js';
import { readConfigText } from '../config/load.js';
import { fanNotes } from '../config/model.js';
import { variableNameProblem } from '../config/variables.js';
import { endStatus } from '../fan/end.js';
import { descriptorNamed } from '../options/descriptors.js';
import { writeStatsFile } from '../options/inputs.js';
import { checkReports, refuseInputIsOutput } from '../options/same-file.js';
import { PipelineRun } from '../pipeline/run.js';
import type { PipelineStats } from '../pipeline/sampler.js';
import { printed } from './printed.js';
import { onStopSignals, statusOf } from './status.js';

/**
 * `manifold check`: throws a ConfigError listing every problem, or returns 0; a descriptor
 * named but not given is one of them (config/io.ts).
 */
export async function checkOnly(config: string, sets: string[]): Promise<number> {
  const [file, text] = source(config);
  checkConfig(file, variables(sets), text);
  return ExitCode.ok;
}

/** `manifold graph`. */
export async function printGraph(config: string, format: string, sets: string[]): Promise<number> {
  // Drawing needs no data: the input files and the output's folder may not exist yet.
  const [file, text] = source(config);
  const pipeline = checkConfig(file, variables(sets), text, 'named');
  return printed(format === 'dot' ? toDot(pipeline) : toMermaid(pipeline));
}

/** The names of stdin as a file. */
const STDIN = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/** `manifold run`. */
export async function runConfig(
  config: string,
  options: { set: string[]; stats?: string; progress?: boolean; verbose?: boolean },
): Promise<number> {
  const log = options.verbose
    ? (line: string) => process.stderr.write(`manifold: ${line}\n`)
    : () => {};
  const [file, text] = source(config);
  const pipeline = checkConfig(file, variables(options.set), text);
  // An input named /dev/stdin is stdin too, read by the run's cat.
  const readsStdin = pipeline.inputs === null || pipeline.inputs.some((path) => STDIN.has(path));
  if (readsStdin && text !== undefined) {
    const named = pipeline.inputs?.find((path) => STDIN.has(path));
    throw new UsageError(
      `the config was read from stdin, so its data cannot be too${named === undefined ? ' (it names no input)' : ` (its input ${named})`}: give the config a file as its input, or give the config as a file`,
    );
  }
  if (readsStdin && isatty(0)) {
    throw new UsageError(`stdin is a terminal: pipe data in, or give the config an input`);
  }
  const inputs = pipeline.inputs?.map((path) => (STDIN.has(path) ? '-' : path)) ?? null;
  // A config's output file is written aside and renamed into place: it may be an input; not
  // a descriptor it names (`/dev/stdout`, `/dev/stdin`), written as it is.
  const outputFd = pipeline.output === null ? 1 : descriptorNamed(pipeline.output);
  if (outputFd !== null) refuseInputIsOutput(inputs, configInputName, outputFd);
  // A summary that cannot be written is known before the run, not after it; nor over a fan's
  // job log (each checked against the run's files, and the others, by the config's check).
  const reports = { stats: options.stats, joblogs: joblogsOf(pipeline.stages) };
  checkReports(reports, inputs, pipeline.output, configInputName);
  for (const note of fanNotes(pipeline.stages)) log(note);
  const runner = new PipelineRun(pipeline, log);
  onStopSignals((signal) => runner.stop(signal));
  const progress = options.progress && process.stderr.isTTY ? drawProgress : null;
  const end = await runner.run(progress, options.stats !== undefined || progress !== null);
  if (progress) process.stderr.write('\n');
  for (const hint of runner.hints) process.stderr.write(`manifold: hint: ${hint}\n`);
  // Written for a run stopped by a signal or by its reader's going too, with the status it ends
  // with, as a fan's (not for one stopped before its stages started: nothing ran).
  if (options.stats !== undefined && end.stats !== undefined)
    writeStatsFile(options.stats, { status: endStatus(end), ...end.stats }, (text) =>
      process.stderr.write(text),
    );
  return statusOf(end);
}

function drawProgress(stats: PipelineStats): void {
  const parts = stats.stages.map(
    (s) =>
      `${s.stage} ${(s.bytesWritten / 1e6).toFixed(1)} MB${s.blockedWritingMs > 0 ? ` (blocked ${(s.blockedWritingMs / 1000).toFixed(1)} s)` : ''}`,
  );
  process.stderr.write(`\r${(stats.durationMs / 1000).toFixed(1)} s | ${parts.join(' | ')}\x1b[K`);
}

/**
 * The config's name and, for `-` (or stdin by a name of its own, `/dev/stdin`), its text, read
 * from stdin (named `stdin` in problems, its paths the current folder's); a file's text is read
 * by the check.
 */
function source(config: string): [file: string, text?: string] {
  return config === '-' || STDIN.has(config) ? ['stdin', readConfigText(0, 'stdin')] : [config];
}

/** --set NAME=VALUE over the environment. */
function variables(sets: string[]): Record<string, string | undefined> {
  const given: [string, string][] = [];
  for (const item of sets) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`--set ${quoteName(item)} must be NAME=VALUE`);
    const name = item.slice(0, at);
    const problem = variableNameProblem(name);
    if (problem !== null) throw new UsageError(`--set ${quoteName(item)}: ${problem}`);
    given.push([name, item.slice(at + 1)]);
  }
  // Own keys, each: `values.__proto__ = ...` would set the object's prototype, the value lost.
  return { ...process.env, ...Object.fromEntries(given) };
}
