import { blockPlan } from './blocks-per-worker.js';
import { EndsSplitter } from './ends-splitter.js';
import type { FanOptions } from './options.js';
import { fastDelimiter } from './partition.js';
import { streamEnds } from './range-cut.js';
import { spell } from './spelling.js';
import { Splitter } from './splitter.js';

/** What cuts the input into blocks: `Splitter`, or `EndsSplitter` where records are read later. */
export type BlockCutter = Pick<
  Splitter,
  'push' | 'flush' | 'end' | 'resize' | 'skip' | 'planned'
> & {
  /** Chunks whose bytes are all in blocks already read through (`EndsSplitter` only). */
  consumed?: () => Buffer[];
};

/**
 * The splitter of a fan's stream input. Hash dispatch on its fast path reads every record to
 * pick its worker, so its blocks are cut by looking near their ends only, and their records
 * counted as they are picked: each byte is scanned once. `counted` tells how many records were
 * picked so far. Where records end with one byte and only attributed workers ask for their
 * numbers (`streamEnds`), blocks are cut the same way, and either not counted at all or
 * counted a block at a time. Otherwise every record is found as it arrives.
 */
export function createSplitter(
  options: FanOptions,
  blockSize: number,
  counted: () => number,
): BlockCutter {
  const cutter = splitterOf(options, blockSize, counted);
  const plan = blockPlan(options);
  if (plan !== null) cutter.planned(plan);
  return cutter;
}

function splitterOf(
  options: FanOptions,
  blockSize: number,
  counted: () => number,
): Splitter | EndsSplitter {
  const { framing, key, maxRecord, dispatch } = options;
  const name = spell(options, 'maxRecord');
  const hashed = dispatch === 'hash' ? fastDelimiter(framing, key) : null;
  if (hashed !== null) return new EndsSplitter(hashed, blockSize, maxRecord, counted, null, name);
  const ends = streamEnds(options);
  if (ends !== null) {
    const numbered = ends.numbered ? framing : null;
    return new EndsSplitter(ends.delimiter, blockSize, maxRecord, null, numbered, name);
  }
  const splitter = new Splitter(framing, blockSize, maxRecord, name, options.records);
  if (options.groupBy !== undefined)
    splitter.grouped(options.groupBy, spell(options, 'groupBy'), spell(options, 'maxRecord'));
  return splitter;
}
