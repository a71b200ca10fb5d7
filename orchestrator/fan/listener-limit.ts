import type { EventEmitter } from 'node:events';

/**
 * Raises (or lowers back) how many listeners of an event `stream` takes before Node warns: for
 * each fan or run that listens to it meanwhile.
 */
export function changeMaxListeners(
  stream: Pick<EventEmitter, 'getMaxListeners' | 'setMaxListeners'>,
  by: number,
): void {
  const max = stream.getMaxListeners();
  // 0 is no limit.
  if (max !== 0) stream.setMaxListeners(max + by);
}
