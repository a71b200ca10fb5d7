import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { QueueConnection } from '../workers/queue/connect.js';
import { type JobSpec, readSpec } from '../workers/queue/job.js';
import type { JobNames } from '../workers/queue/names.js';

/** How long a pull waits for a block before looking again (is the job still there?). */
const PULL_MS = 1000;
/** How often a worker looks for a job that has not started. */
export const JOB_POLL_MS = 250;

/** The job's description once it exists; null when stopped first. */
export async function waitForJob(options: {
  conn: QueueConnection;
  names: JobNames;
  log: (line: string) => void;
  signal: AbortSignal;
}): Promise<JobSpec | null> {
  let said = false;
  while (!options.signal.aborted) {
    const spec = await readSpec(options.conn, options.names);
    if (spec !== null) return spec;
    if (!said) options.log(`waiting for job "${options.names.job}" on ${options.conn.url}`);
    said = true;
    await pause(JOB_POLL_MS, options.signal);
  }
  return null;
}

/**
 * One block, or null when none came within the pull's time. A pull under way when the server
 * goes away may never be answered: past three times its time, it counts as failed. A pull so
 * given up on may yet be answered (its block was on its way while this process was held up,
 * or the server came back): that block is handed back to the queue at once (`nak`), for the
 * next pull, not left with nobody to run it until the job's ack wait has passed.
 */
export async function pullOne(
  consumer: Consumer,
  { expires = PULL_MS, giveUpMs = 3 * PULL_MS } = {},
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
      (message) => message?.nak(),
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
