import { describeError } from '../../filters/index.js';
import type { QueueConnection } from '../workers/queue/connect.js';
import type { JobSpec } from '../workers/queue/job.js';
import type { JobNames } from '../workers/queue/names.js';
import type { WorkerOutcome } from '../workers/types.js';
import { publishFailure, publishOutput } from './answer.js';
import { type Held, type TryEnd, tryOf } from './held.js';
import { deliveriesOf, giveBackUntried } from './untried.js';

// What a queue worker tells the queue once a block's try ends (server.ts): its output published
// and the block acknowledged; or the block back to the queue, or failed on its last try; or,
// never run here, back to the queue untried.

/** The job a try was of, as the queue worker serves it. */
export interface TryJob {
  options: { conn: QueueConnection; names: JobNames; log: (line: string) => void };
  spec: JobSpec;
  /** This machine, as --joblog and failure messages name it. */
  host: string;
  /** Whether the job is finished (or the worker stopped): nothing more is published. */
  finished(): boolean;
}

/**
 * Publishes a block's output with the try that made it, and acknowledges the block. Resolves,
 * never rejects, once the server has confirmed the acknowledgement (or it went otherwise): until
 * then a worker lost takes the block with it, delivered again and counted as lost (hand.ts).
 */
export async function answerBlock(job: TryJob, held: Held, exit: TryEnd): Promise<void> {
  const { block } = held;
  const { conn, names } = job.options;
  const tried = tryOf(held, job.host, exit);
  const answer = { seq: block.seq, input: held.input };
  try {
    const stored = await publishOutput(conn, names, answer, held.pieces, tried, () =>
      job.finished(),
    );
    clearInterval(held.working);
    // Unconfirmed (the job ended, the connection lost): the block comes again if it is still due.
    if (stored) await held.message.ackAck().catch(() => false);
  } catch (error) {
    clearInterval(held.working);
    job.options.log(`cannot publish the output of block ${block.seq + 1}: ${describeError(error)}`);
    held.message.nak();
  }
}

/**
 * A block let go undone: back to the queue to be tried again (`delayMs` later: 0, at once), or
 * failed on its last try; one whose process this worker stopped is no try, and goes back
 * untried. Resolves, never rejects, once that is told to the server.
 */
export async function failBlock(
  job: TryJob,
  held: Held,
  end: WorkerOutcome,
  delayMs = 0,
): Promise<void> {
  const { block, message } = held;
  const { spec, host } = job;
  clearInterval(held.working);
  const tries = deliveriesOf(message);
  const failed = failureOf(held, end);
  const { conn, names } = job.options;
  if (failed === null && !job.finished()) return giveBackUntried(conn, names, message);
  if (failed === null || job.finished() || tries < spec.tries) {
    if (failed !== null && delayMs > 0) message.nak(delayMs);
    else message.nak();
    return;
  }
  // Deliveries lost with a worker, or held past the ack wait, count here but were no try: a
  // failure at or past the last delivery allowed is the block's last try.
  const failure = {
    worker: `queue worker on ${host}: ${failed.worker}`,
    reason: `${failed.reason} (try ${Math.min(tries, spec.tries)} of ${spec.tries})`,
    tried: tryOf(held, host, end.details ?? { exitCode: null, signal: null }),
    input: held.input,
    ...(failed.notFound ? { notFound: true } : {}),
  };
  try {
    await publishFailure(conn, names, block.seq, failure, () => job.finished());
    message.term();
  } catch {
    message.nak();
  }
}

/**
 * Whether a try ended because its process could not be started here (the starter failed, the
 * command gone or not executable, no processes left): this machine's fault, not the block's.
 */
export function isStartFailure(end: WorkerOutcome): boolean {
  return end.kind === 'cannot-start' || (end.kind === 'failed' && end.notFound === true);
}

/**
 * How a try failed, as the coordinator's line says it, or null for an end that is no try of the
 * block (its process stopped by this worker, which is leaving: the block goes back). A process
 * that could not be started fails its block as one that ran and failed does: sent back to the
 * queue untried, it would go round again and again, till it failed as `given 3 times to
 * workers lost with it`, a reason that names no cause.
 */
function failureOf(
  held: Held,
  end: WorkerOutcome,
): { worker: string; reason: string; notFound?: boolean } | null {
  if (end.kind === 'failed')
    return { worker: end.worker, reason: end.reason, notFound: end.notFound };
  if (end.kind === 'cannot-start')
    return { worker: `worker ${held.slot}`, reason: `cannot start: ${end.reason}` };
  return null;
}
