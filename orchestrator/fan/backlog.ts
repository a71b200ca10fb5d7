import type { FanOptions } from './options.js';

/** What a process's pipe holds: workers' stdin pipes are made this size (spawner-script.ts). */
const PIPE_BYTES = 1 << 20;

/**
 * Bytes waiting for a worker past which it is given no other block. A process's next block is
 * given once the last is in its pipe: the pipe's megabyte keeps it busy while the next block,
 * read ahead by the feed, is handed over, and a block waiting behind another would only hold
 * its memory (with `--block 32M` that was two blocks a worker). Threads, hosts and kinds given
 * by code keep a block's worth: a thread's next block must wait beside the one it works on, a
 * host's beside the ones on the network.
 */
export function backlogOf(kind: FanOptions['kind'], blockSize: number): number {
  return kind === undefined || kind === 'process' ? Math.min(blockSize, PIPE_BYTES) : blockSize;
}
