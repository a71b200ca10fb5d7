import { type ChildProcess, execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { execa, type Options } from 'execa';
import { manifold, type Result, resultOf, run } from '../helpers.js';
import { onFailure } from './cleanup.js';
import { linesOf } from './lines.js';
import { killFamily } from './proc.js';
import { spawnManifold, waitForExit, watch, within } from './spawn.js';
import { tempDir } from './temp.js';

// The two sides of a queue's job as real processes: `manifold fan --queue` (the coordinator)
// and `manifold worker --queue` (its workers), against a server of test/support/nats.ts.

/** `manifold fan --queue <url> args`, `input` on stdin; never rejects. */
export const coordinate = (
  url: string,
  args: string[],
  input: string | Uint8Array = '',
  options: Options = {},
): Promise<Result> => run(manifold, ['fan', '--queue', url, ...args], input, options);

/**
 * Leaves job `job` on the server, made with `args` (the options a resumed job must keep): its
 * coordinator, given `input`, is killed by SIGKILL once it has started the job, before any
 * worker came.
 */
export async function leaveJob(
  url: string,
  job: string,
  args: string[],
  input: string | Uint8Array,
): Promise<void> {
  const first = spawnManifold(['fan', '--queue', url, '--job', job, ...args, '--verbose']);
  first.stdin!.end(input);
  await watch(first.stderr!).waitFor(new RegExp(`started job "${job}"`), 1);
  first.kill('SIGKILL');
  await waitForExit(first);
}

/** A running `manifold worker`, its stderr watched. */
export interface QueueWorker {
  child: ChildProcess;
  stderr: ReturnType<typeof watch>;
  /** Resolves once it has exited (it does when its job is finished): its status and stderr. */
  done(ms?: number): Promise<{ exitCode: number | null; stderr: string }>;
  /** Kills it and what it runs with SIGKILL: a machine lost. */
  kill(): void;
}

/** Starts `manifold worker --queue <url> args -- command`; killed after the test if left. */
export function startWorker(
  url: string,
  args: string[],
  command: string[],
  env: Record<string, string> = {},
): QueueWorker {
  const child = spawnManifold(['worker', '--queue', url, ...args, '--', ...command], env);
  child.stdin!.end();
  const stderr = watch(child.stderr!);
  onFailure(async () => {
    const state = child.exitCode ?? child.signalCode ?? 'running';
    console.error(`manifold worker ${args.join(' ')} (${state}) said:\n${stderr.text}`);
  });
  return {
    child,
    stderr,
    async done(ms = 20_000) {
      const end = await within(
        waitForExit(child),
        ms,
        () => `the worker did not exit:\n${stderr.text}`,
      );
      return { exitCode: end.exitCode, stderr: stderr.text };
    },
    kill() {
      killFamily(child);
    },
  };
}

/**
 * `manifold fan --queue <url> args` whose input ends only once each of `workers` (run with
 * `--verbose`) has found the job. A job cannot finish before its input ends, so none of them
 * can miss it, which a worker that first looks after another has done all of it does: it leaves
 * without serving it (or waits for the next job of its name, had it not started waiting before).
 * Rejects at once, with its status and stderr, when the coordinator exits before they have
 * found it (a bad option): they never will. Rejects as soon, with its status and stderr, when a
 * worker exits before it has found it, having first ended the coordinator (which would wait for
 * its input forever): nothing of it is left behind.
 */
export async function coordinateJoined(
  url: string,
  args: string[],
  input: string | Uint8Array,
  workers: QueueWorker[],
): Promise<Result> {
  const child = execa(manifold, ['fan', '--queue', url, ...args], {
    encoding: 'buffer',
    reject: false,
    stripFinalNewline: false,
  });
  // One that exits first cannot take its input: not writing it is no failure of the test's.
  child.stdin.on('error', () => {});
  child.stdin.write(input);
  const found = Promise.all(workers.map(foundBy));
  let first: Awaited<typeof child> | null;
  try {
    first = await Promise.race([found.then(() => null), child]);
  } catch (error) {
    killFamily(child);
    await child;
    throw error;
  }
  if (first !== null) {
    const { exitCode, signal, stderr } = resultOf(first);
    const status = exitCode === undefined ? `by ${signal}` : `with status ${exitCode}`;
    const command = ['manifold fan --queue URL', ...args].join(' ');
    throw new Error(
      `the coordinator (${command}) exited ${status} before its workers found the job; it said:\n${stderr}`,
    );
  }
  child.stdin.end();
  return resultOf(await child);
}

/** Resolves once `worker` says it has found its job; rejects, with what it said, if it exits first. */
async function foundBy(worker: QueueWorker): Promise<void> {
  try {
    await worker.stderr.waitFor(FOUND, 1);
  } catch {
    const { exitCode, stderr } = await worker.done();
    const status = exitCode === null ? `by ${worker.child.signalCode}` : `with status ${exitCode}`;
    throw new Error(`a worker exited ${status} before it found the job; it said:\n${stderr}`);
  }
}

/** A worker's `--verbose` line for the job it has found. */
const FOUND = /^manifold: job "[\w-]+" found: serving it with \d+ workers?$/;

/** Whether a worker's stderr (run with `--verbose`) says it has found its job. */
export const foundJob = (stderr: string) => linesOf(stderr).some((line) => FOUND.test(line));

/** A worker's stderr less what its `--verbose` says of waiting for and finding its job. */
export const unsaid = (stderr: string) =>
  linesOf(stderr)
    .filter((line) => !FOUND.test(line) && !/^manifold: waiting for job "[\w-]+" on /.test(line))
    .map((line) => `${line}\n`)
    .join('');

/**
 * A gate the workers' command (`filter`, a shell command line, on each block) waits at after
 * each block: a FIFO the test holds open, into which it writes one line per block it lets
 * through. A worker says `start <block>` as it begins one.
 */
export function gate(filter = 'cat') {
  const dir = tempDir();
  const path = join(dir, 'gate');
  execFileSync('mkfifo', [path]);
  // Read and write: opening a FIFO so does not wait for a reader, and keeps it open for readers.
  const fd = openSync(path, 'r+');
  const command = [`echo "start $MANIFOLD_BLOCK" >&2; ${filter}; read go < ${path}`];
  return {
    dir,
    command,
    open: (blocks: number) => writeSync(fd, 'go\n'.repeat(blocks)),
    close: () => closeSync(fd),
  };
}

/**
 * Gives a pulled block back to the queue (a negative acknowledgement) and resolves once the
 * server has taken it back. A plain `nak()`, even flushed, is not enough: the server handles
 * acknowledgements apart from a client's other messages (a queue of their own), so a pull sent
 * after it may be answered first, with the next block rather than this one again.
 */
export async function nakTaken(nc: NatsConnection, message: JsMsg): Promise<void> {
  // Its acknowledgement subject: the client's message has it, its type does not say so.
  const { reply } = message as JsMsg & { reply?: string };
  if (!reply) throw new Error('the message has no subject to acknowledge it on');
  // The server answers an acknowledgement that asks for it once it has handled it.
  await nc.request(reply, '-NAK', { timeout: 10_000 });
}
