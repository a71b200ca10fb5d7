import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';
import split2 from 'split2';

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
  /** Resolves when the process has ended and its stdio are closed. */
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
  /** Signals the process and everything it started (its process group). */
  signal(signal: NodeJS.Signals): void;
}

/** How a worker's stderr reaches manifold's: as it is, or line by line with a prefix. */
export type StderrMode = { kind: 'inherit' } | { kind: 'prefix'; prefix: string };

/**
 * Starts a worker. It leads a new process group, so stopping it stops what it started
 * (`sh -c 'sort | uniq -c'`), and a Ctrl-C at the terminal reaches manifold, which decides.
 */
export function spawnWorker(command: CommandSpec, stderr: StderrMode): WorkerProcess {
  const [file, ...args] = command.shell ? ['/bin/sh', '-c', command.argv.join(' ')] : command.argv;
  const child = execa(file!, args, {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: stderr.kind === 'inherit' ? 'inherit' : 'pipe',
    detached: true,
    cleanup: false,
    reject: false,
    buffer: false,
    encoding: 'buffer',
    stripFinalNewline: false,
    env: command.env,
    extendEnv: true,
  });
  if (child.pid === undefined) throw new Error(`cannot start ${file}`);
  const pid = child.pid;
  // A worker that stops reading early (head) is not an error here: its exit status says.
  child.stdin!.on('error', () => {});
  child.stdout!.on('error', () => {});
  if (stderr.kind === 'prefix') {
    child.stderr!.pipe(split2()).on('data', (line: string) => {
      process.stderr.write(`${stderr.prefix}${line}\n`);
    });
  }
  const exited = child.then((result) => ({
    exitCode: result.exitCode ?? null,
    signal: (result.signal as NodeJS.Signals | undefined) ?? null,
  }));
  return {
    pid,
    stdin: child.stdin!,
    stdout: child.stdout!,
    exited,
    signal(signal) {
      try {
        process.kill(-pid, signal);
      } catch {
        // The group is gone already.
      }
    },
  };
}
