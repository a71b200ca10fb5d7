import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fixture, manifold, root } from '../helpers.js';
import { decode, encode, framingOf } from './framing.js';
import { type Finished, finish, quote } from './spawn.js';

// One randomized run of `manifold fan`: its input, options and worker, how to run it as real
// processes, and the shell command that runs it again by hand.

export type Attribution = 'none' | 'per-block' | 'one-to-one' | 'protocol';

export interface FanCase {
  framing: string;
  /** Records before framing; the byte 0xFE marks where a crashing worker dies. */
  records: Buffer[];
  /** Whether the last record has its delimiter (delimiter framings only). */
  finalDelimiter: boolean;
  /** Byte offsets where stdin's writes are cut. */
  cuts: number[];
  block: number;
  workers: number;
  dispatch: 'ready' | 'round-robin' | 'hash' | 'broadcast';
  merge: 'ready' | 'ordered' | 'sorted';
  attribution: Attribution;
  retries: number;
  halt: 'now' | 'never';
  /** Whether the first worker to meet byte 0xFE dies there (once in the whole run). */
  crash: boolean;
  /** Whether workers exit 1 after copying everything. */
  failAtEnd: boolean;
  /** Workers write their output this many bytes at a time (0: as read). */
  outPiece: number;
}

export const CRASH = 0xfe;

/** The input's bytes. */
export const inputOf = (c: FanCase) => encode(framingOf(c.framing), c.records, c.finalDelimiter);

/** The input's records as the framing reads them. */
export const expectedOf = (c: FanCase) => decode(framingOf(c.framing), inputOf(c));

/** Whether the input holds the byte a crashing worker dies at. */
export const hasCrashPoint = (c: FanCase) => c.crash && inputOf(c).includes(CRASH);

function workerOf(c: FanCase): string[] {
  if (c.merge === 'sorted') return c.framing === 'nul' ? ['sort', '-z'] : ['sort'];
  if (c.attribution === 'protocol') return [fixture('crash-identity.js')];
  // cat starts faster than a Node fixture: more runs in the same time.
  if (!c.crash && !c.failAtEnd && c.outPiece === 0) return ['cat'];
  return [fixture('crash-cat.js')];
}

export function argsOf(c: FanCase): string[] {
  const attribution = {
    none: [],
    'per-block': ['--per-block'],
    'one-to-one': ['--one-to-one'],
    protocol: ['--protocol', 'manifold'],
  }[c.attribution];
  return [
    'fan',
    ...['-j', String(c.workers), '--split', c.framing, '--block', String(c.block)],
    ...['--dispatch', c.dispatch, '--merge', c.merge, ...attribution],
    ...['--retries', String(c.retries), '--halt', c.halt, '--', ...workerOf(c)],
  ];
}

function envOf(c: FanCase, dir: string): Record<string, string> {
  return {
    LC_ALL: 'C',
    ...(c.crash ? { CRASH_DIR: dir } : {}),
    ...(c.failAtEnd ? { FAIL_AT_END: '1' } : {}),
    ...(c.outPiece > 0 ? { OUT_PIECE: String(c.outPiece) } : {}),
  };
}

/** The cut offsets inside the input, sorted, each once. */
export const cutsOf = (c: FanCase, length: number) =>
  [...new Set(c.cuts.map((cut) => cut % (length + 1)))].sort((a, b) => a - b);

/** Runs the case with its input in `dir`; a run longer than `ms` is killed and `hung`. */
export async function runCase(c: FanCase, dir: string, ms: number): Promise<Finished> {
  const input = inputOf(c);
  const file = join(dir, 'input');
  writeFileSync(file, input);
  const writer = spawn(
    process.execPath,
    [fixture('write-chunks.js'), file, cutsOf(c, input.length).join(',')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const child = spawn(manifold, argsOf(c), {
    stdio: [writer.stdout, 'pipe', 'pipe'],
    env: { ...process.env, ...envOf(c, dir) },
  });
  // The pipe is the child's now; ours would keep its write end from seeing the reader go.
  writer.stdout.destroy();
  const result = await finish(child, ms);
  if (result.hung) writer.kill('SIGKILL');
  return result;
}

/** The shell command that runs the case again, from the package's folder, input in `dir`. */
export function commandOf(c: FanCase, dir: string): string {
  const input = inputOf(c);
  writeFileSync(join(dir, 'input'), input);
  const local = (path: string) => relative(root, path) || '.';
  const env = Object.entries(envOf(c, join(dir, 'crash')))
    .map(([key, value]) => `${key}=${quote(value)}`)
    .join(' ');
  const args = argsOf(c).map((arg) => quote(arg.startsWith(root) ? local(arg) : arg));
  const mkdir = c.crash
    ? `rm -rf ${quote(join(dir, 'crash'))}; mkdir ${quote(join(dir, 'crash'))}; `
    : '';
  return (
    `${mkdir}node ${local(fixture('write-chunks.js'))} ${quote(join(dir, 'input'))} ` +
    `${cutsOf(c, input.length).join(',') || "''"} | ${env} node ${local(manifold)} ${args.join(' ')}`
  );
}
