import type { JsMsg } from '@nats-io/jetstream';
import type { QueueConnection } from '../workers/queue/connect.js';
import type { JobNames } from '../workers/queue/names.js';
import { publishFailure } from './answer.js';
import { deliveriesOf } from './untried.js';

/**
 * A worker lost with its block (killed, cut off) is not the block's failure, and its block goes
 * again; but a block that kills whatever worker runs it must not go round for ever. The server
 * counts every delivery (those given back untried not among them: untried.ts). Once lost past its tries, a block is run alone (nothing pulled or held beside it),
 * so that only a block that kills its worker gathers more deliveries; past LOST_ALLOWED more, it
 * fails the run (docs/queue.md, Faults).
 */
export const LOST_ALLOWED = 2;

/**
 * Whether a block given `delivered` times is run alone: lost with a worker once past its tries.
 * (A block lost once, its worker stopped, runs beside others as before: alone, it would hold up
 * its worker's other slots.) The blocks held beside a poison block die with it at most
 * `tries + 1` times, then run alone themselves, within the LOST_ALLOWED beyond their tries.
 */
export function runsAlone(delivered: number, tries: number): boolean {
  return delivered > tries + 1;
}

/** Whether a block given `delivered` times has been lost with its workers too often. */
export function lostTooOften(delivered: number, tries: number): boolean {
  return delivered > tries + LOST_ALLOWED;
}

/**
 * Fails a block delivered more often than its tries and LOST_ALLOWED, each time lost with its
 * worker: as a block failing every try does, and it leaves the queue.
 */
export function failLostBlock(
  conn: QueueConnection,
  names: JobNames,
  message: JsMsg,
  block: { seq: number; host: string; input: number },
  stopped: () => boolean,
): void {
  const given = deliveriesOf(message) - 1;
  const failure = {
    worker: `queue worker on ${block.host}:`,
    reason: `given ${given} times to workers lost with it (killed, or cut off from the queue past the ack wait)`,
    // For --joblog: no slot ran it here, and no process of it ended.
    tried: {
      host: block.host,
      slot: 0,
      start: Date.now(),
      runtimeMs: 0,
      attempts: given,
      exitCode: null,
      signal: null,
    },
    input: block.input,
  };
  publishFailure(conn, names, block.seq, failure, stopped)
    .then(() => message.term())
    .catch(() => message.nak());
}
