import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { FanOptions } from '../options.js';
import { spell } from '../spelling.js';

/** Past this many inputs GNU sort merges in passes through temporary files, unless told. */
const SORT_BATCH = 16;

/**
 * Who merges a `--merge sorted`: GNU `sort -m`, reading the workers' outputs from kernel pipes
 * (its arguments, for inputs 3, 4, ... of its own), or manifold itself, and why.
 */
export type SortMergePlan =
  | { by: 'sort'; command: string; args: string[] }
  | { by: 'manifold'; reason: string };

/**
 * Whether `sort -m` can do this merge exactly as ours would, byte for byte: the same order
 * (order.ts, given as sort's keys in the C locale, `-s` so that ties keep the order of their
 * workers, as ours do), on output it can read, with nothing that needs each record's worker.
 */
export function planSortMerge(
  options: FanOptions,
  hasGnuSort: () => boolean = gnuSortInPath,
): SortMergePlan {
  const manifold = (reason: string): SortMergePlan => ({ by: 'manifold', reason });
  if (options.mergeMemoryGiven) {
    return manifold(
      `${spell(options, 'mergeMemory')}, given, asks for a merge that holds and spills within it`,
    );
  }
  if (options.header) {
    return manifold(
      `${spell(options, 'header')}: the header's copies in the workers' outputs are taken off by manifold`,
    );
  }
  if (options.attribution !== 'none') {
    return manifold(
      "each block's output is a run of its own (tied to its block), merged once the block is done",
    );
  }
  // Another dispatch could give a block to a worker whose output waits for sort -m, while sort
  // -m waits for another worker, which waits for that block. By readiness, blocks go to the
  // workers that take them.
  if (options.dispatch !== 'ready') {
    return manifold(
      `with ${spell(options, 'dispatch', options.dispatch)} a worker that waits for sort -m could hold back the others`,
    );
  }
  if (options.halt !== 'now') {
    return manifold('a failed worker started again writes a run sort -m could not take');
  }
  if (options.tag) return manifold(`${spell(options, 'tag')} needs the worker of each record`);
  const framing = options.outputFraming;
  const delimiter = framing.kind === 'delimited' && !framing.json ? framing.delimiter : null;
  const nul = delimiter?.length === 1 && delimiter[0] === 0;
  if (delimiter === null || delimiter.length !== 1 || (delimiter[0] !== 0x0a && !nul)) {
    return manifold(`sort -m reads lines or NUL-ended records, not ${framing.name}`);
  }
  const keys = sortKeys(options, nul);
  if (typeof keys === 'string') return manifold(keys);
  if (!hasGnuSort()) return manifold('no GNU sort in PATH');
  const args = ['-m', '-s', ...(nul ? ['-z'] : []), ...keys];
  if (options.workers > SORT_BATCH) args.push(`--batch-size=${options.workers}`);
  // sort writes a pipe 4 KiB at a time (its stdio buffer is the pipe's block size): coreutils'
  // stdbuf gives it a larger buffer, which halves the system time of the merge's output.
  if (inPath('stdbuf'))
    return { by: 'sort', command: 'stdbuf', args: ['-o', '1M', 'sort', ...args] };
  return { by: 'sort', command: 'sort', args };
}

/** sort's options for the key and order of order.ts; or why they cannot be said. */
function sortKeys(options: FanOptions, nul: boolean): string[] | string {
  const { key, numeric, reverse } = options;
  const r = reverse ? 'r' : '';
  if (key.kind === 'json') return 'sort cannot read a JSON key';
  if (key.kind === 'whole') return numeric ? [`-k1n${r}`, `-k1${r}`] : reverse ? ['-r'] : [];
  const n = key.index;
  const sep = key.separator;
  let field: string;
  let tab: string[] = [];
  if (sep === null) {
    // Blanks are spaces and tabs for us; for sort -z a newline is one too.
    if (nul) return 'sort -z splits fields on newlines too';
    // A field of sort's begins with the blanks before it: `b` skips them, as awk's fields do.
    field = `${n}b,${n}`;
  } else {
    if (sep.length !== 1) return 'sort -t takes a one-byte separator';
    // Node gives a program its arguments as UTF-8: 0xA9 would reach sort as two bytes, C2 A9.
    if (sep[0]! >= 0x80) return 'sort -t cannot be given a byte above 0x7F from Node';
    tab = ['-t', sep[0] === 0 ? '\\0' : sep.toString('latin1')];
    field = `${n},${n}`;
  }
  const byBytes = `-k${field}${r}`;
  return [...tab, ...(numeric ? [`-k${field}n${r}`, byBytes] : [byBytes])];
}

let gnuSort: boolean | undefined;

/** Whether `sort` in PATH is GNU's, which every option above is taken from. Asked once. */
function gnuSortInPath(): boolean {
  if (gnuSort === undefined) {
    const answer = spawnSync('sort', ['--version'], {
      encoding: 'latin1',
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    gnuSort = answer.status === 0 && /GNU coreutils/.test(answer.stdout ?? '');
  }
  return gnuSort;
}

/** Whether an executable `name` is in PATH. */
function inPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir === '' ? '.' : dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
