import { closeSync, fstatSync } from 'node:fs';
import { formatSize } from '../../filters/index.js';
import { type Block, PIECE } from '../workers/block.js';
import type { InputHeader } from '../workers/header.js';
import { INPUT_PAUSE_MS } from '../workers/input-pause.js';
import { wroteParts } from '../workers/lent.js';
import { sendsFromFiles } from '../workers/registry.js';
import type { BlockSizes } from './block-size.js';
import type { Dispatcher } from './dispatch.js';
import { HeaderTaker } from './header-input.js';
import type { InputReader } from './input.js';
import { moveOffset } from './input-fd.js';
import type { FanOptions, Log } from './options.js';
import type { TakenInput } from './parts.js';
import {
  type RangeCut,
  rangesFor,
  rangesNumbered,
  rangesStreamed,
  streamEnds,
} from './range-cut.js';
import type { RangeFile } from './range-file.js';
import { RangeReader } from './range-input.js';
import { spell } from './spelling.js';
import { createSplitter } from './splitters.js';
import { readTaken } from './taken-input.js';

// The fan engine's reading loop (engine.ts): the input cut into blocks, as ranges of a regular
// file or by scanning a stream, each block handed to the engine as it is cut.

/** What the reading loop needs of the engine. */
export interface Reading {
  options: FanOptions;
  log: Log;
  input: InputReader;
  sizes: BlockSizes;
  dispatcher: Dispatcher;
  /** --header: the input's first records, filled in as they are read. */
  header: InputHeader;
  /** Takes a block just cut. */
  add(block: Block): void;
  /** Resolves once the queues have room again: the input waits while they are full. */
  roomForMore(): Promise<void>;
  /** Whether no more is to be read: the fan is stopping, or halting soon. */
  stopped(): boolean;
  /**
   * Takes what closes an input file read as ranges, or waits for its offset to be moved, at the
   * end of the run.
   */
  closeAtEnd(close: () => void | Promise<void>): void;
  /** A block left in its file could not be read again as it was sent: the run fails. */
  failed(error: unknown): void;
  /** The input taken by the workers' helper, when it is: nothing is read here. */
  taken: TakenInput | null;
  /** Aborted when the fan stops. */
  stopping: AbortSignal;
  /** Resolves once every worker has ended for good. */
  workersEnded: Promise<void>;
}

/** Reads the whole input into blocks, as ranges when it can (range-cut.ts) or as a stream. */
export async function readInput(reading: Reading): Promise<void> {
  if (reading.taken !== null) {
    reading.sizes.start(null);
    const { options, log, taken, stopping, workersEnded } = reading;
    await readTaken(options, log, taken, stopping, workersEnded);
    return;
  }
  const cut = rangesFor(reading.options);
  const file = cut === null ? null : await reading.input.rangeFile();
  if (cut !== null && file !== null) {
    const fed = sendsFromFiles(reading.options.kind);
    const streamed = rangesStreamed(reading.options, cut, fed);
    reading.sizes.start(streamed ? fstatSync(file.fd).size - file.start : null);
    // Kept open to the end of the run: a retried block is read from it again.
    if (file.owned) reading.closeAtEnd(() => closeSync(file.fd));
    const read = await readRanges(reading, file, cut, streamed && { fed });
    // A descriptor given (stdin) is left where a read of it would be: past what was read.
    if (!file.owned && read > 0) {
      const moved = moveOffset(file.fd, read);
      reading.closeAtEnd(async () => {
        if (!(await moved)) reading.log(`input: ${file.name}'s offset could not be moved on`);
      });
    }
  } else {
    reading.sizes.start(null);
    await readStream(reading);
  }
}

/** A regular file read as ranges (range-input.ts): no byte of it scanned here. */
async function readRanges(
  reading: Reading,
  file: RangeFile,
  cut: RangeCut,
  streamed: false | { fed: boolean },
): Promise<number> {
  const { options, sizes, stopped } = reading;
  const numbered = rangesNumbered(options);
  // Blocks over --max-record (--block given above it) are read whole, their records measured.
  const measured = options.blockSize > options.maxRecord && cut.kind === 'delimiter';
  const measuring = `each block read whole, its records measured against ${spell(options, 'maxRecord')} ${formatSize(options.maxRecord)} (two searches a MiB)`;
  const scanned = numbered
    ? `records counted, ${countedFor(options)}${measured ? `; ${measuring}` : ''}`
    : measured
      ? measuring
      : options.attribution === 'per-block'
        ? 'no record scanned or counted: the command does not name MANIFOLD_FIRST_RECORD, so its workers are not given it'
        : 'no record scanned or counted';
  reading.log(
    `input: ${file.name} is read as byte ranges of ${formatSize(sizes.current)}, each cut at its last record end (${scanned})${streamed ? `; each block stays in the file until its worker's pipe takes it, ${streamed.fed ? "sent into it by the kernel (the process starter's sendfile)" : `${formatSize(PIECE)} at a time`}` : ''}`,
  );
  const reader = new RangeReader(file, cut, sizes.current, options.maxRecord, {
    numbered,
    maxRecordName: spell(options, 'maxRecord'),
    next: (done) => sizes.cut(done),
    gift: options.kind === 'thread',
    streamed: streamed !== false,
    failed: (error) => reading.failed(error),
  });
  // The bytes given out as blocks: where a read of the file would have stopped.
  let read = 0;
  for await (const block of reader.blocks(() => reading.roomForMore(), stopped)) {
    if (stopped()) break;
    read += block.bytes;
    reading.add(block);
  }
  return read;
}

/** Why a run's blocks have their records counted, as --verbose says it. */
function countedFor(options: FanOptions): string {
  return options.attribution === 'none'
    ? 'for what reports them'
    : "workers are told their blocks' first records";
}

async function readStream(reading: Reading): Promise<void> {
  const { options, sizes, dispatcher, input, stopped } = reading;
  const { framing, header } = options;
  const splitter = createSplitter(options, sizes.current, () => dispatcher.recordsPicked);
  const ends = streamEnds(options);
  if (ends !== null) {
    reading.log(
      `input: read as a stream, each block cut at its last record end${ends.numbered ? `, then its records counted (${countedFor(options)})` : ` (no record scanned or counted; a record over ${spell(options, 'maxRecord')} is named by its byte offset)`}`,
    );
  }
  const name = spell(options, 'maxRecord');
  const taker = header
    ? new HeaderTaker(header, framing, reading.header, options.maxRecord, name)
    : null;
  // Blocks picked by key are copied out as they are added: their chunks can be read into again
  // (not under --header, whose records stay views of the first chunk).
  const consumed = taker === null ? splitter.consumed?.bind(splitter) : undefined;
  // Records are numbered as the input's lines are: the header's first.
  let numbered = taker === null;
  const cut = (blocks: Block[]) => {
    for (const block of blocks) {
      settleOnRelease(block);
      reading.add(block);
      splitter.resize(sizes.cut());
    }
    if (consumed !== undefined) for (const part of consumed()) input.recycle(part);
  };
  const add = (piece: Buffer) => {
    if (!numbered) {
      numbered = true;
      splitter.skip(reading.header.records);
    }
    cut(splitter.push(piece));
  };
  // Per-block workers are left whole blocks: each is a process.
  const cutAtPauses = options.attribution !== 'per-block';
  const chunks = input.chunks(() => reading.roomForMore());
  let done = false;
  try {
    for (let next = chunks.next(); ; ) {
      const read = await next;
      done = read.done === true;
      if (done || stopped()) break;
      for (const piece of taker === null ? [read.value] : taker.push(read.value)) add(piece);
      next = chunks.next();
      if (cutAtPauses && dispatcher.idle && (await pausedBefore(next, input))) {
        cut(splitter.flush());
      }
    }
  } finally {
    // Stopped, or a record refused: the input's file is closed, its memory given back.
    if (!done) await chunks.return(undefined);
  }
  if (!stopped()) {
    for (const piece of taker?.end() ?? []) add(piece);
    for (const block of splitter.end()) {
      settleOnRelease(block);
      reading.add(block);
    }
  }
}

/**
 * Whether the input has paused: its next read is not there within INPUT_PAUSE_MS, and what is
 * being read is not a regular file (`InputReader.mayPause`). A regular file's read, or the next
 * file's open, that comes late (a loaded machine, a slow disk) is no pause: the wait goes on,
 * so that the blocks cut from files never depend on timing; should the reader move on to a pipe
 * meanwhile (`--input a.log --input fifo`), that one may pause. Input that pauses has its whole
 * records passed on when no block waits for a worker (the caller asks), as the process starter
 * passes on what a pipe holds, rather than held until a block fills. The wait costs nothing:
 * the loop awaits that read in any case, and the timer is cleared when it comes.
 */
async function pausedBefore(next: Promise<unknown>, input: InputReader): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const read = next.then(
    () => false,
    () => false,
  );
  const late = () =>
    new Promise<boolean>((resolve) => {
      timer = setTimeout(resolve, INPUT_PAUSE_MS, true);
    });
  try {
    for (;;) {
      const paused = await Promise.race([read, late()]);
      clearTimeout(timer);
      if (!paused || input.mayPause) return paused;
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A block cut from a pipe's reads (lent memory: workers/reads.ts) settles its bytes once a
 * worker has taken them, or, kept for a retry, once it is done or lost (`Block.release`), so
 * that the reads' buffers are read into again.
 */
function settleOnRelease(block: Block): void {
  if (block.release === undefined) block.release = settle.bind(block);
}

/**
 * `Block.release` of a block cut from a pipe, bound to it: a closure of its own cost some 130
 * bytes a block, held for every block in flight (`--block 16`). Once, whoever calls it (a copy
 * of the block carries the same function): the block's own `release` is gone after the first.
 */
function settle(this: Block): void {
  if (this.release === undefined) return;
  this.release = undefined;
  wroteParts(this.parts, this.bytes);
}
