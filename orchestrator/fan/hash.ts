// The hash lives with the filters since shared tables (filters/tables) shard by it too: a table
// built with --shards N and a fan with --dispatch hash -j N must agree on every key.
export { hashBytes } from '../../filters/hash.js';

/**
 * `hash % workers` for a 32-bit unsigned hash, in 32-bit integer arithmetic: V8 computes `%` of
 * a number above 2^31 as a floating-point remainder (a call to fmod, ~10 ns a record); split
 * into 16-bit halves, no intermediate passes 2^31 while `workers` is at most 32768.
 */
export function workerOf(hash: number, workers: number): number {
  if (workers > 32768) return hash % workers;
  return ((((hash >>> 16) % workers) << 16) | (hash & 0xffff)) % workers;
}
