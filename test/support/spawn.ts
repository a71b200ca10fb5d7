import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { descendants, killQuietly } from './proc.js';

export interface Exit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves when `child` has exited and its stdio is closed. */
export async function waitForExit(child: ChildProcess): Promise<Exit> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'close');
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
    for (const pid of descendants(child.pid!)) killQuietly(pid);
    child.kill('SIGKILL');
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
