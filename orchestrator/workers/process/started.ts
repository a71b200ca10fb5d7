import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import { argvToRun, type CommandSpec } from '../command.js';
import type { InputGiven, InputPiece, OutputFailure, RelaySpec } from '../relay.js';
import { prefixLines } from '../stderr-prefix.js';
import {
  type ProcessEnd,
  type StderrMode,
  signalGroup,
  startFailure,
  type WorkerProcess,
} from './spawn.js';
import type { FeedEnd, Spawner } from './spawner.js';

/** A command whose output the starter writes to manifold's stdout, and who hears it fail. */
export interface Relayed {
  spec: RelaySpec;
  failed(failure: OutputFailure): void;
  /** What it was given of the input the starter took (`RelaySpec.takesInput`). */
  given?(given: InputGiven): void;
}

/**
 * The changes that make the starter's environment `env`: what to set, what to remove. Worked out
 * once per slot; a block adds its own two variables.
 */
export function environmentChanges(
  base: NodeJS.ProcessEnv,
  env: NodeJS.ProcessEnv,
): { set: [string, string][]; unset: string[] } {
  const set: [string, string][] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && base[key] !== value) set.push([key, value]);
  }
  const unset = Object.keys(base).filter((key) => env[key] === undefined);
  return { set, unset };
}

/**
 * Starts a worker through the process starter (`spawner.ts`), as `spawnWorker` does with Node's
 * spawn: the same process group, environment, stdio and exit statuses (127 and 126 for a command
 * not found or not runnable). Its pipes come a moment later: what is written before is held, in
 * order, and its `pid` is -1 until then (`onPid` hears it). Null when the starter cannot take
 * it (a NUL in a field): Node's spawn then refuses it as it always did. With `relay`, the starter
 * writes its output to manifold's stdout itself: it has no `stdout` here, and `relay` hears that
 * output fail; with a starter that can, it has `feed`.
 */
export function startWorker(
  spawner: Spawner,
  command: CommandSpec,
  stderr: StderrMode,
  changes: { set: readonly (readonly [string, string])[]; unset: readonly string[] },
  onPid: (pid: number) => void,
  relay?: Relayed,
  into?: number,
): WorkerProcess | null {
  const argv = argvToRun(command);
  const stdin = new LateWritable();
  // Its output written by the starter (`relay`), or into a pipe of manifold's that another
  // process reads (`into`), does not come here at all.
  const stdout = relay === undefined && into === undefined ? new PassThrough() : null;
  const errors = stderr.kind === 'prefix' ? new PassThrough() : null;
  const prefixed =
    errors && stderr.kind === 'prefix'
      ? prefixLines(errors, stderr.prefix, stderr.target, undefined, stderr.held)
      : null;
  let pid = -1;
  const running: ((pid: number) => void)[] = [];
  // Its process group, known before its exec is: it can be signalled from then on.
  let group = -1;
  let sockets: (Socket | null)[] = [];
  let pending: NodeJS.Signals | null = null;
  let resolve!: (end: ProcessEnd) => void;
  const exited = new Promise<ProcessEnd>((r) => {
    resolve = r;
  });
  let leaderResolve!: (end: ProcessEnd) => void;
  const leaderEnded = new Promise<ProcessEnd>((r) => {
    leaderResolve = r;
  });
  void exited.then(leaderResolve);
  // As Node's 'close': the end is told once the process has ended and its output is all read.
  const closed = [...(stdout === null ? [] : [stdout]), ...(errors === null ? [] : [errors])].map(
    (stream) => new Promise<void>((r) => stream.once('end', () => r())),
  );
  const fail = (end: ProcessEnd) => {
    stdin.discard();
    stdout?.end();
    errors?.end();
    resolve(end);
  };
  let outputTo: (data: Buffer) => void = () => {};
  // Manifold's descriptor of its stdin pipe, once opened: the starter feeds it from a file.
  let inputFd = -1;
  const accepted = spawner.start(
    argv,
    changes.set,
    changes.unset,
    errors !== null,
    command.cwd,
    {
      output: (data) => outputTo(data),
      opened(forked, input, output, error, fd) {
        group = forked;
        inputFd = fd;
        sockets = [input, output, error];
        for (const socket of sockets) socket?.on('error', () => {});
        // Its stdin written by the starter (the input it took): nothing is written here.
        if (input === null) stdin.discard();
        else stdin.attach(input);
        if (output !== null && stdout !== null) {
          output.once('end', () => stdout.end());
          stdout.on('drain', () => output.resume());
          outputTo = (data) => {
            if (!stdout.write(data)) output.pause();
          };
        }
        if (error !== null) error.pipe(errors!);
        if (pending !== null) signalGroup(group, pending);
      },
      running() {
        pid = group;
        onPid(pid);
        for (const listener of running.splice(0)) listener(pid);
      },
      failed(code, message) {
        for (const socket of sockets) socket?.destroy();
        fail(
          message === undefined
            ? startFailure({ code })
            : { exitCode: null, signal: null, startError: message },
        );
      },
      unstarted() {
        stdin.discard();
        stdout?.end();
        errors?.end();
        void Promise.all(closed).then(() =>
          resolve({ exitCode: null, signal: null, unstarted: true }),
        );
      },
      quit(exitCode, signal) {
        leaderResolve({ exitCode, signal });
      },
      ended(exitCode, signal, lost) {
        leaderResolve(lost === undefined ? { exitCode, signal } : { exitCode, signal, lost });
        if (lost !== undefined) {
          // Lost before its pipes were taken: nothing is written to it.
          if (group < 0) stdin.discard();
          stdout?.end();
          errors?.end();
        }
        void Promise.all(closed).then(() =>
          resolve(lost === undefined ? { exitCode, signal } : { exitCode, signal, lost }),
        );
      },
      ...(relay === undefined
        ? {}
        : {
            recordTooLarge: (bytes: number) => relay.failed({ kind: 'record', bytes }),
            outputFailed: (code: string) =>
              relay.failed(code === 'EPIPE' ? { kind: 'closed' } : { kind: 'error', code }),
            given: (pieces: number, first: InputPiece, last: InputPiece) =>
              relay.given?.({ pieces, first, last }),
          }),
    },
    relay?.spec,
    into,
  );
  if (!accepted) return null;
  return {
    get pid() {
      return pid;
    },
    stdin,
    stdout,
    exited,
    leaderEnded,
    openStderr: () => prefixed?.open(),
    onRunning: (listener) => (pid > 0 ? listener(pid) : running.push(listener)),
    signal(signal) {
      prefixed?.release();
      // Stopped, its output still with the starter is not wanted (nor blocks the starter).
      if (relay !== undefined) spawner.abandonOutput();
      if (group > 0) signalGroup(group, signal);
      else pending = signal;
    },
    signalLeftovers: (signal) => signalGroup(group, signal),
    ...(spawner.feeds
      ? {
          feed(file: number, at: number, length: number, done: FeedEnd) {
            // Once its pipe is open; a process that never ran takes nothing: a pipe nobody reads.
            stdin.whenAttached((open) =>
              open && inputFd >= 0
                ? spawner.feed(inputFd, file, at, length, done)
                : done(0, constants.errno.EPIPE),
            );
          },
        }
      : {}),
  };
}

/**
 * A worker's stdin before its pipe exists: writes wait, in order, and each is called back once
 * the pipe has taken it, as the pipe's own would be (so `writableLength` is what is unsent).
 */
class LateWritable extends Writable {
  #socket: Socket | null = null;
  #discarding = false;
  #waiting: (() => void)[] = [];

  attach(socket: Socket): void {
    this.#socket = socket;
    for (const go of this.#waiting.splice(0)) go();
  }

  /** The process never ran: what is written goes nowhere, as to a pipe nobody reads. */
  discard(): void {
    this.#discarding = true;
    for (const go of this.#waiting.splice(0)) go();
  }

  /** Calls `go` once its pipe is open (true), or once it is known it never will be (false). */
  whenAttached(go: (open: boolean) => void): void {
    this.#when(() => go(this.#socket !== null && !this.#socket.destroyed));
  }

  #when(go: () => void): void {
    if (this.#socket !== null || this.#discarding) go();
    else this.#waiting.push(go);
  }

  override _writev(chunks: { chunk: Buffer }[], done: (error?: Error | null) => void): void {
    this.#when(() => {
      const socket = this.#socket;
      if (socket === null || socket.destroyed) return done();
      const last = chunks.length - 1;
      socket.cork();
      // A worker that stops reading early (head) is no error here: its exit status says.
      for (let i = 0; i <= last; i++)
        socket.write(chunks[i]!.chunk, i === last ? () => done() : undefined);
      socket.uncork();
    });
  }

  override _final(done: (error?: Error | null) => void): void {
    this.#when(() => {
      this.#socket?.end();
      done();
    });
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#socket?.destroy();
    done(error);
  }
}
