import type { CommandSpec } from '../command.js';
import { encodeFrame, type Frame, FrameKind } from '../frame/index.js';
import type { ItemMessage } from '../shipment.js';
import { signalNamed } from '../termseq.js';
import type { InstanceBlock, StopReason, TransportOutcome } from '../transport.js';

// The conversation between a coordinator and a `manifold worker --stdio` (docs/hosts.md):
//
//   coordinator → worker: Hello (start an instance: StartMessage), Block (bytes for its stdin,
//     one frame per block the attribution sends), End (flags: close its input, stop it
//     gracefully, kill it, or send it the signal its payload names), Heartbeat.
//   worker → coordinator: Hello (the instance runs: its pid, once it has one), Credit (seq = bytes its stdin has
//     taken), Output (channel 1: stdout, 2: stderr), End (the instance's TransportOutcome),
//     Heartbeat, Error (a line: the worker gives up on the stream).
//
// One instance at a time runs on a session; another Hello starts the next (per-block workers).

/** What the coordinator sends to start an instance: what the slot's process would be told. */
export interface StartMessage {
  command: CommandSpec;
  slot: number;
  workers: number;
  block?: InstanceBlock;
  /** Variables set over the command's own on this host (tables, at their shipped place). */
  env?: Record<string, string>;
  /** The folder to start in: the run's, with the shipped paths in it. */
  cwd?: string;
  /** --ok-status: the statuses that are no failure ([0] when absent: an older coordinator). */
  okStatus?: readonly number[];
}

/** What `manifold worker --receive` is told: the items a run needs, or what to remove. */
export interface ReceiveMessage {
  run: string;
  items: ItemMessage[];
  /** Remove the run's folder and these items (by hash) instead. */
  remove?: string[];
}

/** The worker's answer to a Hello. */
export interface StartedMessage {
  pid: number;
}

/** End frames' flags from the coordinator. */
export const END_INPUT = 0;
export const STOP_GRACEFUL = 1;
export const STOP_KILL = 2;
export const STOP_SIGNAL = 3;

/** Output frames' channels. */
export const STDOUT = 1;
export const STDERR = 2;

export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** A frame of the protocol with a JSON payload, or none. */
export function messageFrame(
  kind: FrameKind,
  run: string,
  seq: number,
  value?: StartMessage | StartedMessage | TransportOutcome | ReceiveMessage | string,
  flags = 0,
): Buffer[] {
  return encodeFrame({
    kind,
    run,
    seq,
    flags,
    ...(value === undefined ? {} : { payload: json(value) }),
  });
}

/** The End frame that stops an instance as `reason` says: a signal by its name (`SIGINT`). */
export function stopFrame(run: string, reason: StopReason): Buffer[] {
  if (typeof reason === 'object')
    return messageFrame(FrameKind.End, run, 0, reason.signal, STOP_SIGNAL);
  const flags = reason === 'kill' ? STOP_KILL : STOP_GRACEFUL;
  return messageFrame(FrameKind.End, run, 0, undefined, flags);
}

/** The stop an End frame asks for; a signal this machine does not know asks it to end. */
export function stopOf(frame: Frame): StopReason {
  if (frame.flags === STOP_KILL) return 'kill';
  if (frame.flags !== STOP_SIGNAL) return 'graceful';
  const signal = signalNamed(String(JSON.parse(frame.payload.toString())));
  return signal === undefined ? 'graceful' : { signal };
}

export { FrameKind };
