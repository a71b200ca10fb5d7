import type { JsMsg } from '@nats-io/jetstream';
import type { Block, BlockTry } from '../workers/block.js';
import {
  HEADER_FIRST_RECORD,
  HEADER_RECORDS,
  numberHeader,
  readMessage,
} from '../workers/queue/messages.js';
import type { EndDetails } from '../workers/transport.js';
import { deliveriesOf } from './untried.js';

/** A block in hand: its message (to acknowledge), the output so far, the attempt's id. */
export interface Held {
  message: JsMsg;
  block: Block;
  /** The CRC-32 of the block's bytes, told with its answer: whose block it answers. */
  input: number;
  pieces: Buffer[];
  working: NodeJS.Timeout;
  /** When it was given to a slot's worker, for --joblog's row (ms since the epoch). */
  started: number;
  slot: number;
}

/** How a try ended, as a process's exit status (a persistent worker's block: 0, no signal). */
export type TryEnd = Pick<EndDetails, 'exitCode' | 'signal'>;

/**
 * The block a pulled message carries, and its bytes' checksum; throws, saying why, when it is
 * none of this run's.
 */
export function blockOf(message: JsMsg, run: string): { block: Block; input: number } {
  const frame = readMessage(message.data);
  if (frame.run !== run) throw new Error(`it is of another run of the job (${frame.run})`);
  const block = {
    seq: frame.seq,
    parts: [frame.payload],
    bytes: frame.payload.length,
    firstRecord: numberHeader(message.headers, HEADER_FIRST_RECORD),
    records: numberHeader(message.headers, HEADER_RECORDS),
    failures: 0,
  };
  return { block, input: frame.checksum };
}

/**
 * A try as --joblog shows it: this machine, the slot, its times, its deliveries that counted
 * (not those given back untried), its end.
 */
export function tryOf(held: Held, host: string, end: TryEnd): BlockTry {
  const { started, slot, message } = held;
  const { exitCode, signal } = end;
  const runtimeMs = Date.now() - started;
  const attempts = deliveriesOf(message);
  return { host, slot, start: started, runtimeMs, attempts, exitCode, signal };
}
