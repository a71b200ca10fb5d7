import { quoteName } from '../../../filters/errors.js';
import { UsageError } from '../../../filters/index.js';
import { numericHostProblem } from '../host-name.js';

/** A job's options that a resumed job must keep, and the job's own name option. */
export type JobOption =
  | 'split'
  | 'join'
  | 'block'
  | 'retries'
  | 'ackWait'
  | 'timeout'
  | 'header'
  | 'termseq'
  | 'job';

/**
 * How messages name a job's option, set to `value`: manifold fan --queue's flag (`--retries 1`,
 * `--job`), or a config's key (`retries: 1`, `job`).
 */
export type JobOptionName = (option: JobOption, value?: string) => string;

/** `--ack-wait 1s` for `ackWait`: the command line's spelling. */
export const jobFlagOf: JobOptionName = (option, value) => {
  const flag = `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return value === undefined ? flag : `${flag} ${value}`;
};

/** The job a coordinator and its workers share when `--job` is not given. */
export const DEFAULT_JOB = 'default';

/** The consumer every worker of a job pulls blocks through (durable, so workers may come and go). */
export const WORKERS_CONSUMER = 'workers';

/**
 * Where a job lives on the server: its blocks in a work-queue stream (a block is gone once a
 * worker acknowledges it), its results and its description in a stream of their own that the
 * coordinator reads from the start, so that a restarted coordinator finds what was done.
 */
export interface JobNames {
  job: string;
  blocksStream: string;
  blocksSubject: string;
  resultsStream: string;
  /** A piece of a block's output. */
  outSubject: string;
  /** A block's output is all there (published once per block: the server drops a second). */
  doneSubject: string;
  /** A block failed on its last try. */
  failedSubject: string;
  /** The job's description (`JobSpec`), in the results stream. */
  specSubject: string;
  /** A worker cannot serve the job (a table it cannot fetch): notice.ts. */
  noticeSubject: string;
  /** The input's header (--header), in the results stream, published before any block. */
  headerSubject: string;
  /**
   * Said (core NATS, in no stream) once the job is removed: what the server's advisory of its
   * stream removed says too, but the advisory is not a promise (job.ts `deleteJob`).
   */
  endedSubject: string;
}

const JOB_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks a job's name (`--job`): it becomes part of stream names and subjects. */
export function checkJobName(job: string, option = '--job'): string {
  if (!JOB_NAME.test(job)) {
    throw new UsageError(
      `${option} ${quoteName(job)} is not a job name: use 1 to 64 letters, digits, '-' or '_'`,
    );
  }
  return job;
}

export function jobNames(job: string): JobNames {
  return {
    job,
    blocksStream: `manifold-${job}-blocks`,
    blocksSubject: `manifold.${job}.blocks`,
    resultsStream: `manifold-${job}-results`,
    outSubject: `manifold.${job}.out`,
    doneSubject: `manifold.${job}.done`,
    failedSubject: `manifold.${job}.failed`,
    specSubject: `manifold.${job}.spec`,
    noticeSubject: `manifold.${job}.notice`,
    headerSubject: `manifold.${job}.header`,
    endedSubject: `manifold.${job}.ended`,
  };
}

/** The jobs a server holds, from its streams' names (either of a job's two). */
export function jobOfStream(stream: string): string | null {
  const match = /^manifold-([A-Za-z0-9_-]{1,64})-(?:blocks|results)$/.exec(stream);
  return match === null ? null : match[1]!;
}

/**
 * Checks a queue's address (`--queue`): `nats://host:port` (the port defaults to 4222), or
 * `host:port`, with a user and password (`nats://user:password@host:port`) or a token
 * (`nats://token@host:port`) for a server that asks for them. Returns it as connectQueue takes it.
 */
export function checkQueueUrl(url: string, option = '--queue'): string {
  const full = url.includes('://') ? url : `nats://${url}`;
  const said = quoteName(withoutCredentials(url));
  let parsed: URL;
  try {
    parsed = new URL(full);
  } catch {
    throw new UsageError(`${option} ${said} is not an address: give nats://host:port`);
  }
  // The URL parser drops a tab or a newline quietly (`nats://h:14\n222` is port 14222): none is
  // taken, nor a query or a fragment, which no server reads.
  if (
    parsed.protocol !== 'nats:' ||
    parsed.hostname === '' ||
    parsed.pathname.length > 1 ||
    parsed.search !== '' ||
    parsed.hash !== '' ||
    /\s/.test(url)
  ) {
    throw new UsageError(`${option} ${said} is not an address: give nats://host:port`);
  }
  if (parsed.port === '0') throw new UsageError(`${option} ${said} has no such port (0)`);
  const numeric = numericHostProblem(parsed.hostname);
  if (numeric !== null) throw new UsageError(`${option} ${said} is not an address: ${numeric}`);
  const who =
    parsed.username === ''
      ? ''
      : `${parsed.username}${parsed.password === '' ? '' : `:${parsed.password}`}@`;
  return `nats://${who}${parsed.host}${parsed.port === '' ? ':4222' : ''}`;
}

/**
 * An address as a message may say it, checked or not: without the user, password or token
 * before an `@` (`nats://alice:secret@h:4222` is `nats://h:4222`), which lines pasted into logs
 * would give away.
 */
export function withoutCredentials(url: string): string {
  return url.replace(/^((?:[A-Za-z][\w+.-]*:\/\/)?)[^/@]*@/, '$1');
}

/**
 * A checked queue address (checkQueueUrl) as it is said, without its credentials, and those
 * credentials as the client takes them: a user and password, or a token (a user alone).
 */
export function queueAddress(url: string): {
  shown: string;
  auth: { user: string; pass: string } | { token: string } | null;
} {
  const parsed = new URL(url);
  const shown = `nats://${parsed.host}`;
  if (parsed.username === '') return { shown, auth: null };
  const user = decodeURIComponent(parsed.username);
  const auth =
    parsed.password === '' ? { token: user } : { user, pass: decodeURIComponent(parsed.password) };
  return { shown, auth };
}
