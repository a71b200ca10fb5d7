import { readFileSync } from 'node:fs';
import type { Options } from 'execa';
import type { FanSummary, WorkerStats } from '../../orchestrator/fan/stats.js';
import { manifold, type Result, run } from '../helpers.js';

// Running `manifold fan` and reading what it gives: its records, tags and --stats.

/** `manifold fan args`, with `input` on stdin; never rejects. */
export const fan = (args: string[], input: string | Uint8Array = '', options: Options = {}) =>
  run(manifold, ['fan', ...args], input, options);

/** Byte order for sort and the sorted merge alike. */
export const C = { env: { LC_ALL: 'C' } };

/** A successful run's outcome, compact, for one `toEqual`: exit 0 and nothing on stderr. */
export const ok = (result: Result) => ({ exitCode: result.exitCode, stderr: result.stderr });
export const OK = { exitCode: 0, stderr: '' };

/** What --stats writes, as the engine types it. */
export type StatsDoc = FanSummary;
export type { WorkerStats };

/** The --stats of a run given `--stats -`. */
export const statsOf = (result: Result): StatsDoc => JSON.parse(result.stderr) as StatsDoc;

/** The --stats written to `file`. */
export const readStats = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as StatsDoc;

/** Every worker process's end, from --stats. */
export const exitsOf = (stats: StatsDoc) => stats.workers.flatMap((worker) => worker.exits);

/** Splits `<worker>\t<record>` lines into the worker number and the record. */
export function untag(line: string): { worker: number; record: string } {
  const tab = line.indexOf('\t');
  return { worker: tab > 0 ? Number(line.slice(0, tab)) : Number.NaN, record: line.slice(tab + 1) };
}

/** The records of delimited bytes, as latin1 strings (one char per byte, sorted in byte order). */
export function recordsOf(data: Buffer, delimiter = '\n'): string[] {
  if (data.length === 0) return [];
  const records = data.toString('latin1').split(Buffer.from(delimiter).toString('latin1'));
  if (records.at(-1) === '') records.pop();
  return records;
}
