import type { Worker, WorkerExit } from '../workers/types.js';
import { type Block, describeBlock } from './block.js';
import type { FanOptions } from './options.js';

/**
 * One line on what failed: the worker, its pid and command, how it ended, and the blocks and
 * input records it had. `worker 2 (pid 4242: grep -v x) exited with status 3 on block 5
 * (records 4097-5120)`.
 */
export function describeFailure(
  options: FanOptions,
  worker: Worker,
  exit: WorkerExit,
  blocks: readonly Block[],
): string {
  const command = options.command.argv.join(' ');
  const how =
    exit.signal !== null ? `was killed by ${exit.signal}` : `exited with status ${exit.exitCode}`;
  const notFound =
    exit.exitCode === 127
      ? ' (command not found)'
      : exit.exitCode === 126
        ? ' (not executable)'
        : '';
  return `worker ${worker.slot} (pid ${exit.pid}: ${command}) ${how}${notFound}${describeBlocks(options, blocks)}`;
}

function describeBlocks(options: FanOptions, blocks: readonly Block[]): string {
  if (blocks.length === 0) return '';
  if (options.attribution !== 'none') return ` on ${blocks.map(describeBlock).join(', ')}`;
  const first = blocks[0]!;
  const last = blocks.at(-1)!;
  if (first === last) return `; it had been given ${describeBlock(first)}`;
  return `; it had been given ${blocks.length} blocks, from ${describeBlock(first)} to ${describeBlock(last)}`;
}
