import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { QueueConnection } from '../workers/queue/connect.js';
import { lastEnd, onJobEnded } from '../workers/queue/ended.js';
import { type JobSpec, readSpec } from '../workers/queue/job.js';
import type { JobNames } from '../workers/queue/names.js';

/** How long a pull waits for a block before looking again (is the job still there?). */
export const PULL_MS = 1000;
/** How often a worker looks for a job that has not started. */
export const JOB_POLL_MS = 250;

/**
 * The job's description once it exists; null when stopped first, or when the job started and
 * finished between two looks (its coordinator removed it: an empty input, or other workers did
 * it all in the meantime). Its remover says so, and the server when it removes the job's
 * results stream (ended.ts): a worker that heard it has missed its job, and leaves as from a job finished under
 * it, rather than waiting for the next job of its name. One whose connection was down then
 * reads the job's end where it is kept.
 */
export async function waitForJob(options: {
  conn: QueueConnection;
  names: JobNames;
  log: (line: string) => void;
  signal: AbortSignal;
}): Promise<JobSpec | null> {
  const { conn, names, signal } = options;
  const stop = new AbortController();
  const abort = () => stop.abort();
  signal.addEventListener('abort', abort, { once: true });
  let removed = false;
  const unlisten = onJobEnded(conn, names, () => {
    removed = true;
    stop.abort();
  });
  // Neither is heard by a worker whose connection is down as the job ends: the job's end is
  // kept on the server too (ended.ts), and once the connection has been lost and is back, each
  // look reads it: one kept after this worker began waiting is the end of a job it waited for.
  const reconnection = conn.reconnected();
  let cutOff = false;
  void reconnection.back.then(() => {
    cutOff = true;
  });
  // The server takes the subscription before the first look (one connection keeps its order):
  // a job removed after that look is one this worker waited for.
  try {
    const endedBefore = await lastEnd(conn, names);
    let said = false;
    while (!signal.aborted) {
      const spec = await readSpec(conn, names);
      if (spec !== null) return spec;
      if (removed || (cutOff && (await lastEnd(conn, names)) > endedBefore)) {
        options.log(
          `job "${names.job}" started and finished before this worker found it: it leaves`,
        );
        return null;
      }
      if (!said) options.log(`waiting for job "${names.job}" on ${conn.url}`);
      said = true;
      await pause(JOB_POLL_MS, stop.signal);
    }
    return null;
  } finally {
    signal.removeEventListener('abort', abort);
    reconnection.cancel();
    unlisten();
  }
}

/**
 * One block, or null when none came within the pull's time. A pull under way when the server
 * goes away may never be answered: past three times its time, it counts as failed. A pull so
 * given up on may yet be answered (its block was on its way while this process was held up,
 * or the server came back): that block is handed back to the queue at once (`giveBack`: untried,
 * untried.ts; by default a nak), for the next pull, not left with nobody to run it until the
 * job's ack wait has passed.
 */
export async function pullOne(
  consumer: Consumer,
  {
    expires = PULL_MS,
    giveUpMs = 3 * PULL_MS,
    giveBack = (message: JsMsg): unknown => message.nak(),
  } = {},
): Promise<JsMsg | null> {
  let timer: NodeJS.Timeout | undefined;
  const pull = consumer.next({ expires });
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('a pull went unanswered')), giveUpMs);
  });
  try {
    return await Promise.race([pull, late]);
  } catch (error) {
    pull.then(
      (message) => message !== null && giveBack(message),
      () => {},
    );
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
