import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { prefixLines } from './stderr-prefix.js';

/** What to run: a program and its arguments, or a shell command line. */
export interface CommandSpec {
  /** Program and arguments; with `shell`, one command line for /bin/sh -c. */
  argv: string[];
  shell: boolean;
  env?: Record<string, string>;
}

/** A running worker process, its own process group leader. */
export interface WorkerProcess {
  pid: number;
  stdin: Writable;
  stdout: Readable;
  /** Resolves when the process has ended. */
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
  /** Signals the process and everything it started (its process group). */
  signal(signal: NodeJS.Signals): void;
}

/** How a worker's stderr reaches manifold's: as it is, or line by line with a prefix. */
export type StderrMode = { kind: 'inherit' } | { kind: 'prefix'; prefix: string };

/**
 * Starts a worker. It leads a new process group, so stopping it stops what it started
 * (`sh -c 'sort | uniq -c'`), and a Ctrl-C at the terminal reaches manifold, which decides.
 *
 * Node's own spawn, not execa: a worker start is on the hot path (a process per block with
 * --per-block) and on every run's start-up, where loading execa alone costs more than the
 * 150 ms manifold allows itself; we need none of its conveniences here (docs/performance.md).
 */
export function spawnWorker(command: CommandSpec, stderr: StderrMode): WorkerProcess {
  const [file, ...args] = command.shell ? ['/bin/sh', '-c', command.argv.join(' ')] : command.argv;
  const child = spawn(file!, args, {
    stdio: ['pipe', 'pipe', stderr.kind === 'inherit' ? 'inherit' : 'pipe'],
    detached: true,
    env: command.env === undefined ? process.env : { ...process.env, ...command.env },
  });
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => {
      child.on('error', () => resolve({ exitCode: 127, signal: null }));
      child.on('close', (exitCode, signal) => resolve({ exitCode, signal }));
    },
  );
  // A worker that stops reading early (head) is not an error here: its exit status says.
  child.stdin!.on('error', () => {});
  child.stdout!.on('error', () => {});
  const prefixed = stderr.kind === 'prefix' ? prefixLines(child.stderr!, stderr.prefix) : null;
  const pid = child.pid ?? -1;
  return {
    pid,
    stdin: child.stdin!,
    stdout: child.stdout!,
    exited,
    signal: (signal) => {
      // A worker being stopped must be able to end even while manifold's stderr is full.
      prefixed?.release();
      signalGroup(pid, signal);
    },
  };
}

/** Signals a process group led by `pid`, if it is still there. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid < 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
