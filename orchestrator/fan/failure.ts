import { type Block, describeBlock, type RangeNamer, withoutBytes } from '../workers/block.js';
import type { Worker, WorkerOutcome } from '../workers/types.js';

/** What an unattributed worker was given, for messages: its first and latest block. */
export interface Given {
  first: Block;
  last: Block;
  count: number;
}

/** Notes a block given to an unattributed worker, keeping no bytes. */
export function noteGiven(given: Map<Worker, Given>, worker: Worker, block: Block): void {
  const summary = withoutBytes(block);
  const seen = given.get(worker);
  if (seen === undefined) given.set(worker, { first: summary, last: summary, count: 1 });
  else {
    seen.last = summary;
    seen.count++;
  }
}

/**
 * One line on what failed: the worker as its transport describes it (its pid and command), how
 * it ended, and the blocks and input records it had. `worker 2 (pid 4242: grep -v x) exited
 * with status 3 on block 5 (records 4097-5120)`; `places` names the records of several input
 * files in them (input-places.ts).
 */
export function describeFailure(
  end: WorkerOutcome & { kind: 'failed' },
  blocks: readonly Block[] | Given | null,
  places?: RangeNamer,
): string {
  // A command that cannot serve the fan fails on no block of its own.
  if (end.misfit) return `${end.worker} ${end.reason}`;
  // A worker that ends well with blocks unanswered has failed them all the same.
  const preposition = end.unanswered ? ' before finishing ' : ' on ';
  return `${end.worker} ${end.reason}${describeBlocks(blocks, preposition, places)}`;
}

function describeBlocks(
  blocks: readonly Block[] | Given | null,
  preposition: string,
  places: RangeNamer | undefined,
): string {
  if (blocks === null) return '';
  const describe = (block: Block) => describeBlock(block, places);
  if (Array.isArray(blocks)) {
    if (blocks.length === 0) return '';
    if (blocks.length > 3) {
      return `${preposition}${blocks.length} blocks, from ${describe(blocks[0]!)} to ${describe(blocks.at(-1)!)}`;
    }
    return `${preposition}${blocks.map(describe).join(', ')}`;
  }
  const { first, last, count } = blocks as Given;
  if (count === 1) return `; it had been given ${describe(first)}`;
  return `; it had been given ${count} blocks, from ${describe(first)} to ${describe(last)}`;
}
