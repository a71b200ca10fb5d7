import { fstatSync, type Stats, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { quoteName } from '../../filters/errors.js';
import { UsageError } from '../../filters/index.js';
import { offsetOf } from '../fan/input-fd.js';
import { checkStatsTarget } from '../options/inputs.js';

// A file that manifold reads and writes at once: `manifold fan -- cat < f >> f` appended a copy
// of f to f, exit 0, where `cat` refuses (`input file is output file`), and `--stats f`, f the
// output, replaced the output with the summary. Both are refused before anything starts.

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

/** The regular files read, by how a message names them: `stdin`, `--input f`. */
function inputFiles(inputs: readonly string[] | null): [string, Stats, number][] {
  return (inputs ?? ['-']).flatMap((name): [string, Stats, number][] => {
    const stdin = name === '-';
    const stat = statOf(stdin ? 0 : name);
    if (stat === null || !stat.isFile()) return [];
    // Read from where its offset stands (`{ head -c 5 >/dev/null; manifold fan ...; } < f`).
    const from = stdin ? (offsetOf(0) ?? 0) : 0;
    return [[stdin ? 'stdin' : `--input ${quoteName(name)}`, stat, from]];
  });
}

/** The output (stdout, or a config's `output:`), where it is a regular file that exists. */
function outputFile(path?: string | null): Stats | null {
  const stat = statOf(path ?? 1);
  return stat?.isFile() === true ? stat : null;
}

/**
 * Refuses an input that is the output file too with some of it still to read, as `cat` does:
 * what is written would be read again, or the file read grow as it is read. `inputs`: the
 * --input names (`-` for stdin), null for stdin alone. One emptied by the shell's `>` is read
 * as empty, as by `cat`.
 */
export function refuseInputIsOutput(inputs: readonly string[] | null): void {
  const output = outputFile();
  if (output === null) return;
  for (const [name, stat, from] of inputFiles(inputs)) {
    if (same(stat, output) && stat.size > from) {
      throw new UsageError(`${name}: input file is output file`);
    }
  }
}

/**
 * Refuses a report's file (`--stats`, `--joblog`) that is the output (stdout, or `output`) or
 * an input: writing the report would replace what the run writes, or the file it reads.
 */
export function refuseReportOver(
  target: string,
  option: string,
  inputs: readonly string[] | null,
  output?: string | null,
): void {
  if (target === '-') return;
  const report = statOf(target);
  if (report === null || !report.isFile()) return;
  const written = outputFile(output);
  const said = `${option} ${quoteName(target)}`;
  if (written !== null && same(report, written)) {
    throw new UsageError(`${said} is the output file too: the report would replace the output`);
  }
  for (const [name, stat] of inputFiles(inputs)) {
    if (same(report, stat)) {
      throw new UsageError(`${said} is the input file too (${name}): the report would replace it`);
    }
  }
}

/**
 * The reports' files checked before anything runs: `--joblog` and `--stats` are neither the
 * output nor an input, and the --stats file is opened (created) last, so that one that cannot
 * be written is known before any input is read, not after the whole run.
 */
export function checkReports(
  reports: { joblog?: string | null | undefined; stats?: string | null | undefined },
  inputs: readonly string[] | null,
  output?: string | null,
): void {
  const { joblog, stats } = reports;
  if (joblog) refuseReportOver(joblog, '--joblog', inputs, output);
  if (stats === null || stats === undefined) return;
  refuseReportOver(stats, '--stats', inputs, output);
  // One file for both: the summary replaced the job log, exit 0.
  if (joblog && joblog !== '-' && stats !== '-' && sameTarget(joblog, stats)) {
    throw new UsageError(
      `--stats ${quoteName(stats)} is the --joblog file too: the summary would replace the job log`,
    );
  }
  checkStatsTarget(stats);
}
