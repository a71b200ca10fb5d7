import { type ChildProcess, spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { holdsBytes, showWord } from '../../../filters/sdk/raw-arguments.js';
import { argvToRun, type CommandSpec } from '../command.js';
import { describeStartError } from '../limits.js';
import { prefixLines } from '../stderr-prefix.js';
import type { FeedEnd } from './spawner.js';
import { noStarter } from './spawner-launch.js';

/** A running worker process, its own process group leader. */
export interface WorkerProcess {
  pid: number;
  stdin: Writable;
  /** Null when the output goes into a descriptor given at the start. */
  stdout: Readable | null;
  /**
   * Resolves when the process has ended and its output is all read (what it started may hold its
   * output open after it), or with `startError` when it could not start.
   */
  exited: Promise<ProcessEnd>;
  /**
   * Resolves when the process itself has ended, with how: at once, while what it started may
   * still hold its output open (`sh -c 'sleep 60 & exit 3'`), so `exited` comes later.
   */
  leaderEnded: Promise<ProcessEnd>;
  /** Signals the process and everything it started (its process group): to stop it. */
  signal(signal: NodeJS.Signals): void;
  /** Signals what is left of its process group once it has ended, its output still wanted. */
  signalLeftovers(signal: NodeJS.Signals): void;
  /** Its stderr, held (`StderrMode.held`), goes on. */
  openStderr(): void;
  /**
   * Hears its pid once it runs, where that comes after the start (the process starter's); one
   * that never runs is never heard of. Absent where `pid` is known at the start.
   */
  onRunning?(listener: (pid: number) => void): void;
  /**
   * Fills its stdin with `length` bytes of the file manifold has open as `file`, from its byte
   * `at`, in the kernel (the process starter's `sendfile`): to be asked only once what was
   * written to `stdin` before has been taken. Absent where it cannot be (Node started it).
   */
  feed?(file: number, at: number, length: number, done: FeedEnd): void;
}

/** How a worker process ended. */
export interface ProcessEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why it never ran, when the system refused it (out of descriptors or processes). */
  startError?: string;
  /** It ran and was killed by manifold: the process starter that waited for it is gone (why). */
  lost?: string;
  /** It never ran: given none of the input the starter took, which would have started it. */
  unstarted?: boolean;
}

/** How a worker's stderr reaches manifold's: as it is, or line by line with a prefix. */
export type StderrMode =
  | { kind: 'inherit' }
  /** Line by line, each after `prefix`, into `target` (manifold's stderr unless given). */
  | { kind: 'prefix'; prefix: string; target?: Writable | undefined; held?: boolean };

/**
 * Starts a worker. It leads a new process group, so stopping it stops what it started
 * (`sh -c 'sort | uniq -c'`), and a Ctrl-C at the terminal reaches manifold, which decides.
 *
 * Node's own spawn, not execa: a worker start is on the hot path (a process per block with
 * --per-block) and on every run's start-up, where loading execa alone costs more than the
 * 150 ms manifold allows itself; we need none of its conveniences here (docs/performance.md).
 * `env`, when given, is the whole environment (made once for many starts).
 */
export function spawnWorker(
  command: CommandSpec,
  stderr: StderrMode,
  output?: number,
  env?: NodeJS.ProcessEnv,
): WorkerProcess {
  const refused = bytesRefused(command, noStarter() ?? 'neither python3 nor perl runs here');
  if (refused !== null)
    return notStarted(Promise.resolve({ exitCode: null, signal: null, startError: refused }));
  const [file, ...args] = argvToRun(command);
  let child: ChildProcess;
  try {
    child = spawn(file!, args, {
      stdio: ['pipe', output ?? 'pipe', stderr.kind === 'inherit' ? 'inherit' : 'pipe'],
      detached: true,
      env: env ?? (command.env === undefined ? process.env : { ...process.env, ...command.env }),
      cwd: command.cwd,
    });
  } catch (error) {
    return notStarted(Promise.resolve(startFailure(error)));
  }
  // Node reports a refused spawn (EMFILE, EAGAIN, ENOENT) in an 'error' event, with no pid and,
  // out of descriptors, no streams at all.
  if (child.pid === undefined) {
    for (const stream of child.stdio ?? []) stream?.destroy();
    return notStarted(
      new Promise((resolve) => child.once('error', (e) => resolve(startFailure(e)))),
    );
  }
  const exited = new Promise<ProcessEnd>((resolve) => {
    child.on('error', () => {}); // only from kill() or send(), which are not used
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  const leaderEnded = new Promise<ProcessEnd>((resolve) => {
    child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  // A worker that stops reading early (head) is not an error here: its exit status says.
  child.stdin!.on('error', () => {});
  child.stdout?.on('error', () => {});
  const prefixed =
    stderr.kind === 'prefix'
      ? prefixLines(child.stderr!, stderr.prefix, stderr.target, undefined, stderr.held)
      : null;
  const pid = child.pid;
  return {
    pid,
    stdin: child.stdin!,
    stdout: child.stdout,
    exited,
    leaderEnded,
    signalLeftovers: (signal) => signalGroup(pid, signal),
    signal: (signal) => {
      // A worker being stopped must be able to end even while manifold's stderr is full.
      prefixed?.release();
      signalGroup(pid, signal);
    },
    openStderr: () => prefixed?.open(),
  };
}

/**
 * Why Node's spawn cannot start `command` (because `why`), or null: a word with bytes that are
 * not UTF-8, which Node would send as U+FFFD (EF BF BD). The process starter sends bytes.
 */
export function bytesRefused(command: CommandSpec, why: string): string | null {
  const word = command.argv.find(holdsBytes);
  if (word === undefined) return null;
  return (
    `its argument ${showWord(word)} is not UTF-8, which Node's spawn, starting the workers ` +
    `here (${why}), cannot pass as given: only the process starter can (docs/fan.md)`
  );
}

/** A worker that never ran: its input goes nowhere, its output is empty. */
function notStarted(exited: Promise<ProcessEnd>): WorkerProcess {
  return {
    pid: -1,
    stdin: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stdout: Readable.from([]),
    exited,
    leaderEnded: exited,
    signal: () => {},
    signalLeftovers: () => {},
    openStderr: () => {},
  };
}

/** A command not found or not runnable ends as a shell says (127, 126); anything else is named. */
export function startFailure(error: unknown): ProcessEnd {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { exitCode: 127, signal: null };
  if (code === 'EACCES') return { exitCode: 126, signal: null };
  return { exitCode: null, signal: null, startError: describeStartError(error) };
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
