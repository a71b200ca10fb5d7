import type { MsgHdrs } from '@nats-io/transport-node';
import type { BlockTry } from '../block.js';
import {
  HEADER_TRY_ATTEMPTS,
  HEADER_TRY_EXIT,
  HEADER_TRY_HOST,
  HEADER_TRY_RUNTIME,
  HEADER_TRY_SIGNAL,
  HEADER_TRY_SLOT,
  HEADER_TRY_START,
} from './messages.js';

/** A try as a block's end's headers (an exit status of none, a killed process, is -1). */
export function tryHeaders(tried: BlockTry): Record<string, string | number> {
  return {
    [HEADER_TRY_HOST]: tried.host,
    [HEADER_TRY_SLOT]: tried.slot,
    [HEADER_TRY_START]: tried.start,
    [HEADER_TRY_RUNTIME]: tried.runtimeMs,
    [HEADER_TRY_ATTEMPTS]: tried.attempts,
    [HEADER_TRY_EXIT]: tried.exitCode ?? -1,
    [HEADER_TRY_SIGNAL]: tried.signal ?? '',
  };
}

/** The try a block's end reports; undefined when it reports none (a worker before --joblog). */
export function readTryHeaders(h: MsgHdrs | undefined): BlockTry | undefined {
  const host = h?.get(HEADER_TRY_HOST) ?? '';
  if (host === '') return undefined;
  const number = (name: string) => Number(h!.get(name));
  const exit = number(HEADER_TRY_EXIT);
  return checkTry({
    host,
    slot: number(HEADER_TRY_SLOT),
    start: number(HEADER_TRY_START),
    runtimeMs: number(HEADER_TRY_RUNTIME),
    attempts: number(HEADER_TRY_ATTEMPTS),
    exitCode: exit < 0 ? null : exit,
    signal: h!.get(HEADER_TRY_SIGNAL) || null,
  });
}

/** A try read from a failure's JSON; undefined when it has none, or not a whole one. */
export function checkTry(value: unknown): BlockTry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const t = value as Record<string, unknown>;
  const whole = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (typeof t.host !== 'string' || t.host === '') return undefined;
  if (![t.slot, t.start, t.runtimeMs, t.attempts].every(whole)) return undefined;
  if (t.exitCode !== null && !whole(t.exitCode)) return undefined;
  if (t.signal !== null && typeof t.signal !== 'string') return undefined;
  return t as unknown as BlockTry;
}
