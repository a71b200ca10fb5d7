import { fstatSync, type Stats, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { quoteName } from '../../filters/errors.js';
import { UsageError } from '../../filters/index.js';
import { offsetOf } from '../fan/input-fd.js';
import { checkStatsTarget } from './inputs.js';

// A file that manifold reads and writes at once: `manifold fan -- cat < f >> f` appended a copy
// of f to f, exit 0, where `cat` refuses (`input file is output file`), and `--stats f`, f the
// output, replaced the output with the summary. Both are refused before anything starts, on
// the command line (`manifold fan`) and in a config (a fan's `joblog:`, `manifold run --stats`).

/** What `target` is, or null where it cannot be known (a name that does not exist). */
function statOf(target: number | string): Stats | null {
  try {
    return typeof target === 'number' ? fstatSync(target) : statSync(target);
  } catch {
    return null;
  }
}

const same = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/** Whether two paths name one file: the same file that exists, or the same path. */
function sameTarget(a: string, b: string): boolean {
  const [first, second] = [statOf(a), statOf(b)];
  if (first !== null && second !== null) return same(first, second);
  return resolve(a) === resolve(b);
}

/** How a message names an input file: `--input f` on the command line, `input "f"` in a config. */
export type InputName = (path: string) => string;

const flagName: InputName = (path) => `--input ${quoteName(path)}`;

/** The regular files read, by how a message names them: `stdin`, `--input f`. */
function inputFiles(inputs: readonly string[] | null, named: InputName): [string, Stats, number][] {
  return (inputs ?? ['-']).flatMap((name): [string, Stats, number][] => {
    const stdin = name === '-';
    const stat = statOf(stdin ? 0 : name);
    if (stat === null || !stat.isFile()) return [];
    // Read from where its offset stands (`{ head -c 5 >/dev/null; manifold fan ...; } < f`).
    const from = stdin ? (offsetOf(0) ?? 0) : 0;
    return [[stdin ? 'stdin' : named(name), stat, from]];
  });
}

/**
 * Refuses an input that is the output file too with some of it still to read, as `cat` does:
 * what is written would be read again, or the file read grow as it is read. `inputs`: the
 * --input names (`-` for stdin), null for stdin alone; `outputFd`: the descriptor written (a
 * config's `output: /dev/fd/3`). One emptied by the shell's `>` is read as empty, as by `cat`.
 */
export function refuseInputIsOutput(
  inputs: readonly string[] | null,
  named: InputName = flagName,
  outputFd = 1,
): void {
  const output = statOf(outputFd);
  if (output === null || !output.isFile()) return;
  for (const [name, stat, from] of inputFiles(inputs, named)) {
    if (same(stat, output) && stat.size > from) {
      throw new UsageError(`${name}: input file is output file`);
    }
  }
}

/** A report's file (`--joblog f`, a fan's `joblog:`) as the run writes it, and as said. */
export interface ReportFile {
  path: string;
  /** `--joblog f`, `joblog "f"`: for the report's own problem. */
  said: string;
}

/** Whether writing a report at `path` writes a file others may share: not stderr (`-`), a pipe. */
function isFileReport(path: string): boolean {
  if (path === '-') return false;
  return statOf(path)?.isFile() !== false;
}

/** Whether two reports would be written into one file, one replacing the other. */
export function sameReportFile(a: string, b: string): boolean {
  return isFileReport(a) && isFileReport(b) && sameTarget(a, b);
}

/**
 * Why the report `said` (`--stats f`, a fan's `joblog "f"`), at `target`, cannot be written:
 * it is the output (stdout, or `output`, which a config may not have made yet) or an input,
 * and would replace it. Null when it is neither.
 */
export function reportOverProblem(
  { path, said }: ReportFile,
  inputs: readonly string[] | null,
  output?: string | null,
  named: InputName = flagName,
): string | null {
  if (!isFileReport(path)) return null;
  const report = statOf(path);
  const stdout = output === null || output === undefined ? statOf(1) : null;
  const over =
    stdout === null
      ? output !== null && output !== undefined && sameReportFile(path, output)
      : report !== null && stdout.isFile() && same(report, stdout);
  if (over) return `${said} is the output file too: the report would replace the output`;
  for (const [name, stat] of inputFiles(inputs, named)) {
    if (report !== null && same(report, stat))
      return `${said} is the input file too (${name}): the report would replace it`;
  }
  return null;
}

/**
 * The reports' files checked before anything runs: `--joblog` and `--stats` are neither the
 * output nor an input, nor one file, and the --stats file is opened (created) last, so that
 * one that cannot be written is known before any input is read, not after the whole run.
 * `joblogs`: those a config's fans write (checked at their places by the config's check), with
 * how the --stats line names each (`the joblog of stage parse`).
 */
export function checkReports(
  reports: {
    joblog?: string | null | undefined;
    stats?: string | null | undefined;
    joblogs?: { path: string; said: string }[];
  },
  inputs: readonly string[] | null,
  output?: string | null,
  named: InputName = flagName,
): void {
  const { joblog, stats } = reports;
  const refuse = (report: ReportFile) => {
    const problem = reportOverProblem(report, inputs, output, named);
    if (problem !== null) throw new UsageError(problem);
  };
  if (joblog) refuse({ path: joblog, said: `--joblog ${quoteName(joblog)}` });
  if (stats === null || stats === undefined) return;
  refuse({ path: stats, said: `--stats ${quoteName(stats)}` });
  const joblogs = [
    ...(joblog ? [{ path: joblog, said: 'the --joblog file' }] : []),
    ...(reports.joblogs ?? []),
  ];
  // One file for both: the summary replaced the job log, exit 0.
  for (const log of joblogs) {
    if (sameReportFile(log.path, stats))
      throw new UsageError(
        `--stats ${quoteName(stats)} is ${log.said} too: the summary would replace the job log`,
      );
  }
  checkStatsTarget(stats);
}
