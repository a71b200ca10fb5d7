import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fixture, manifold, root } from '../helpers.js';
import { type Finished, finish, quote, waitForExit } from './spawn.js';

// One randomized run of `manifold fan` with the options that say where blocks end (--block,
// --block -n, -N, --group-by, --header) over every framing that cuts by content (-0, -L,
// --recstart/--recend, delim:\xHH), every kind of worker (per-block, --cat, --fifo, persistent,
// --one-to-one, --protocol, --threads) and input (a pipe cut at random reads, a file on stdin,
// one or two --input files). Per-block workers copy their block to a file named by its number
// (and by the worker's, for broadcast) and write it back, so the blocks can be checked whole.

export type Spelling = 'split' | 'short';
export type Cut =
  | { kind: 'size'; block: number }
  | { kind: 'count'; n: number }
  | {
      kind: 'parts';
      n: number;
    };
export type Worker =
  | 'per-block'
  | 'retries'
  | 'cat'
  | 'fifo'
  | 'stay'
  | 'one-to-one'
  | 'protocol'
  | 'threads';
export type Input = 'pipe' | 'stdin-file' | 'input' | 'two-inputs';

export interface CutCase {
  /** `lines`, `nul`, `delim:\x1e`, `lines:<n>`, `start:>`, `between:\n|>`. */
  framing: string;
  /** How the framing is given: --split, or its short spelling (-0, -L, --recstart, --recend). */
  spelling: Spelling;
  input: Buffer;
  cut: Cut;
  groupBy: 'field:1' | 'whole' | null;
  header: number;
  input_: Input;
  /** Where the second --input file begins (modulo the input's length). */
  splitAt: number;
  /** Where stdin's writes are cut, for a pipe. */
  cuts: number[];
  workers: number;
  worker: Worker;
  dispatch: 'ready' | 'round-robin' | 'broadcast' | 'hash';
  merge: 'ready' | 'ordered' | 'sorted';
}

/** Whether workers are a fresh process per block, each given its block as stdin or a file. */
export const perBlock = (c: CutCase) => ['per-block', 'retries', 'cat', 'fifo'].includes(c.worker);

function framingArgs(c: CutCase): string[] {
  if (c.spelling === 'split') return ['--split', c.framing];
  if (c.framing === 'nul') return ['-0'];
  if (c.framing.startsWith('lines:')) return ['-L', c.framing.slice(6)];
  if (c.framing === 'delim:\\x1e') return ['--recend', '\\x1e'];
  if (c.framing === 'start:>') return ['--recstart', '>'];
  if (c.framing === 'between:\\n|>') return ['--recend', '\\n', '--recstart', '>'];
  return ['--split', c.framing];
}

function cutArgs(c: CutCase): string[] {
  const { cut } = c;
  if (cut.kind === 'count') return ['-N', String(cut.n)];
  if (cut.kind === 'parts') return ['--block', String(-cut.n)];
  return ['--block', String(cut.block)];
}

/** Copies the block to `$BLOCKS/b-<block>-<worker>` and writes it back. */
function workerArgs(c: CutCase): string[] {
  const file = '"$BLOCKS/b-$MANIFOLD_BLOCK-$MANIFOLD_WORKER"';
  // Under --merge sorted each worker sorts what it copies.
  const sort = c.merge !== 'sorted' ? '' : c.framing === 'nul' ? ' | sort -z' : ' | sort';
  const copy = sort === '' ? 'cat' : sort.slice(3);
  switch (c.worker) {
    case 'per-block':
      return ['--per-block', '--shell', '--', `tee ${file}${sort}`];
    case 'retries':
      return ['--retries', '1', '--shell', '--', `tee ${file}${sort}`];
    case 'cat':
      return ['--cat', '--shell', '--', `cp {} ${file} && ${copy} {}`];
    case 'fifo':
      return ['--fifo', '--shell', '--', `tee ${file} < {}${sort}`];
    case 'stay':
      return ['--', ...copy.split(' ')];
    case 'one-to-one':
      return ['--one-to-one', '--', 'cat'];
    case 'protocol':
      return ['--protocol', 'manifold', '--', fixture('crash-identity.js')];
    case 'threads':
      return ['--threads', '--', fixture('crash-identity.js')];
  }
}

/** The input files' names in `dir`, for --input. */
function inputFiles(c: CutCase, dir: string): string[] {
  if (c.input_ === 'input') return [join(dir, 'input')];
  if (c.input_ === 'two-inputs') return [join(dir, 'input-1'), join(dir, 'input-2')];
  return [];
}

export function argsOf(c: CutCase, dir: string): string[] {
  return [
    'fan',
    ...['-j', String(c.workers), ...framingArgs(c), ...cutArgs(c)],
    ...(c.groupBy === null ? [] : ['--group-by', c.groupBy]),
    ...(c.groupBy === 'field:1' ? ['--field-sep', ':'] : []),
    ...(c.header > 0 ? ['--header', String(c.header)] : []),
    ...['--dispatch', c.dispatch, '--merge', c.merge],
    ...(c.dispatch === 'hash' ? ['--key', 'whole'] : []),
    ...['--stats', join(dir, 'stats.json')],
    ...inputFiles(c, dir).flatMap((file) => ['--input', file]),
    ...workerArgs(c),
  ];
}

/** The cut offsets inside the input, sorted, each once. */
const cutsOf = (c: CutCase) =>
  [...new Set(c.cuts.map((cut) => cut % (c.input.length + 1)))].sort((a, b) => a - b);

function writeInputs(c: CutCase, dir: string): void {
  writeFileSync(join(dir, 'input'), c.input);
  const at = c.splitAt % (c.input.length + 1);
  writeFileSync(join(dir, 'input-1'), c.input.subarray(0, at));
  writeFileSync(join(dir, 'input-2'), c.input.subarray(at));
}

/** Runs the case in `dir` (its blocks in `dir/blocks`); past `ms` it is killed and `hung`. */
export async function runCutCase(c: CutCase, dir: string, ms: number): Promise<Finished> {
  writeInputs(c, dir);
  mkdirSync(join(dir, 'blocks'));
  const env = { ...process.env, LC_ALL: 'C', BLOCKS: join(dir, 'blocks') };
  if (c.input_ === 'pipe') {
    const writer = spawn(
      process.execPath,
      [fixture('write-chunks.js'), join(dir, 'input'), cutsOf(c).join(',')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const child = spawn(manifold, argsOf(c, dir), { stdio: [writer.stdout, 'pipe', 'pipe'], env });
    writer.stdout.destroy();
    const written = waitForExit(writer);
    const result = await finish(child, ms);
    // The writer reads the input file, which the caller removes next: it must be done.
    writer.kill('SIGKILL');
    await written;
    return result;
  }
  const stdin = c.input_ === 'stdin-file' ? openSync(join(dir, 'input'), 'r') : 'ignore';
  try {
    const child = spawn(manifold, argsOf(c, dir), { stdio: [stdin, 'pipe', 'pipe'], env });
    return await finish(child, ms);
  } finally {
    if (typeof stdin === 'number') closeSync(stdin);
  }
}

/** The shell command that runs the case again from the package's folder, its files in `dir`. */
export function commandOf(c: CutCase, dir: string): string {
  writeInputs(c, dir);
  const local = (path: string) => relative(root, path) || '.';
  const args = argsOf(c, dir).map((arg) => quote(arg.startsWith(root) ? local(arg) : arg));
  const run = `BLOCKS=${quote(join(dir, 'blocks'))} LC_ALL=C node ${local(manifold)} ${args.join(' ')}`;
  const setup = `rm -rf ${quote(join(dir, 'blocks'))}; mkdir ${quote(join(dir, 'blocks'))}; `;
  const input = quote(join(dir, 'input'));
  if (c.input_ === 'pipe') {
    return `${setup}node ${local(fixture('write-chunks.js'))} ${input} ${cutsOf(c).join(',') || "''"} | ${run}`;
  }
  return `${setup}${run}${c.input_ === 'stdin-file' ? ` < ${input}` : ' < /dev/null'}`;
}
