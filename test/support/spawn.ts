import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { manifold } from '../helpers.js';
import { onCleanup } from './cleanup.js';
import { linesOf } from './lines.js';
import { killFamily } from './proc.js';

export interface Exit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves when `child` has exited and its stdio is closed. */
export async function waitForExit(child: ChildProcess): Promise<Exit> {
  // Exited is not enough: its output may still be unread. 'close' comes once stdout, stderr and
  // any further pipes are closed (not stdin, which may stay open after it), so once they are it
  // has come, and waiting for it would be for ever.
  const exited = child.exitCode !== null || child.signalCode !== null;
  const outputs = child.stdio.slice(1);
  if (!exited || !outputs.every((stream) => !stream || stream.closed)) await once(child, 'close');
  return { exitCode: child.exitCode, signal: child.signalCode };
}

/** Everything a stream gives, once it ends. */
export async function collect(stream: Readable | null): Promise<Buffer> {
  if (stream === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface Finished extends Exit {
  stdout: Buffer;
  stderr: string;
  /** Whether it was still running after the time allowed, and so was killed. */
  hung: boolean;
}

/**
 * Waits for `child` (started with piped stdout and stderr) for up to `ms`; past that it and
 * everything below it are killed, and the result says `hung`.
 */
export async function finish(child: ChildProcess, ms: number): Promise<Finished> {
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    killFamily(child);
  }, ms);
  try {
    const [stdout, stderr, exit] = await Promise.all([
      collect(child.stdout),
      collect(child.stderr),
      waitForExit(child),
    ]);
    return { ...exit, stdout, stderr: stderr.toString('latin1'), hung };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a shell command line (for limits such as `ulimit`, or pipelines), stdin closed;
 * `detached`, it leads a process group of its own.
 */
export function spawnShell(
  line: string,
  env: Record<string, string> = {},
  detached = false,
): ChildProcess {
  return spawn('/bin/sh', ['-c', line], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    detached,
  });
}

/** A stack trace on stderr: what a user must never see. */
export const hasStackTrace = (stderr: string) =>
  /^\s+at .+[:(]\d+/m.test(stderr) || /\b(TypeError|RangeError|ReferenceError)\b/.test(stderr);

/**
 * Starts manifold with `args`, every stdio piped, in `cwd` if given; after the test its stdin
 * is closed and it is killed if still running.
 */
export function spawnManifold(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): ChildProcess {
  const child = spawn(manifold, args, {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  onCleanup(() => {
    child.stdin?.destroy();
    killFamily(child);
  });
  return child;
}

/** `promise`, or a failure saying `what` when it takes longer than `ms`. */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string | (() => string),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(typeof what === 'string' ? what : what())), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A child's stream as text, with a way to wait for whole lines that match. */
export function watch(stream: Readable) {
  let text = '';
  let ended = false;
  const waiters: (() => void)[] = [];
  stream.setEncoding('utf8');
  const wake = () => {
    for (const check of [...waiters]) check();
  };
  stream.on('data', (chunk: string) => {
    text += chunk;
    wake();
  });
  stream.on('end', () => {
    ended = true;
    wake();
  });
  return {
    get text() {
      return text;
    },
    /** Resolves with the first `count` whole lines matching `pattern`; rejects at the end first. */
    waitFor(pattern: RegExp, count: number): Promise<string[]> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matches = linesOf(text).filter((line) => pattern.test(line));
          if (matches.length >= count) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve(matches.slice(0, count));
          } else if (ended) {
            waiters.splice(waiters.indexOf(check), 1);
            reject(new Error(`the stream ended before ${count} lines like ${pattern}:\n${text}`));
          }
        };
        waiters.push(check);
        check();
      });
    },
  };
}

/** `word` as one shell word: as it is when that is safe, else in single quotes. */
export const quote = (word: string) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * The lowest open-file limit (`ulimit -n`, from 16 up) under which Node runs an ES module at
 * all: below it Node fails before any of manifold's code runs. `dir` holds the empty module.
 */
export async function nodeFileFloor(dir: string, hangMs: number): Promise<number> {
  writeFileSync(join(dir, 'a.mjs'), '');
  const runs = async (n: number) => {
    const child = spawnShell(
      `ulimit -n ${n} && exec ${quote(process.execPath)} ${quote(join(dir, 'a.mjs'))}`,
    );
    return (await finish(child, hangMs)).exitCode === 0;
  };
  let limit = 16;
  while (!(await runs(limit))) limit++;
  return limit;
}

/**
 * Runs `command` (a shell line) under each open-file limit from `from` to `to`: each
 * outcome is `works` or `refused` as `judge` finds it, or what it was instead (a stack trace
 * is neither).
 */
export async function sweepFileLimits(
  from: number,
  to: number,
  command: string,
  hangMs: number,
  judge: (result: Finished) => 'works' | 'refused' | null,
): Promise<string[]> {
  const seen: string[] = [];
  for (let n = from; n <= to; n++) {
    const result = await finish(spawnShell(`ulimit -n ${n} && ${command}`), hangMs);
    const outcome = hasStackTrace(result.stderr) ? null : judge(result);
    seen.push(outcome ?? `${n}: exit ${result.exitCode}: ${result.stderr.slice(0, 200)}`);
  }
  return seen;
}
