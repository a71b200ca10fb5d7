/** A piece of the input cut at record boundaries: what a worker is given at a time. */
export interface Block {
  /** 0-based position in the input; shown 1-based to people. */
  seq: number;
  /** The bytes, as the views read: whole records only. */
  parts: Buffer[];
  bytes: number;
  /**
   * The bytes the block was cut from in the input, where its worker is given fewer (--rrs took
   * its separators out); else `bytes`.
   */
  inputBytes?: number;
  /** The 1-based number of the block's first record in the input (0 when not counted). */
  firstRecord: number;
  /**
   * How many records the block holds; -1 when they were not counted (a range of a file, a block
   * of a stream cut by its end: `EndsSplitter`).
   */
  records: number;
  /** Where the block starts in the input, in bytes, when its records were not counted. */
  offset?: number;
  /**
   * Counts the records of a block not numbered as it was cut, for a message that names them (a
   * range of a file, read again: fan/range-numbers.ts); null when it cannot now.
   */
  numbering?: () => { firstRecord: number; records: number } | null;
  /** How many times this block has been tried and failed. */
  failures: number;
  /** The hosts it failed on (workers on hosts): tried again on another where one can take it. */
  failedOn?: Set<string>;
  /** For hash dispatch: the input block this one's records were picked from, by key. */
  scatteredFrom?: Block;
  /**
   * Lets the memory of `parts` be written again (hash dispatch's pieces, a pipe's reads, a
   * file's block buffers). Called once its bytes will never be read again: after a transport
   * has taken them when nothing keeps the block for a retry, or when it can be read again
   * (`reread`); else by the fan once the block is done or lost. Calling it twice is harmless;
   * never calling it is safe, but leaves its memory to the garbage collector and the next read
   * to fresh memory (docs/performance.md).
   */
  release?: () => void;
  /**
   * Gives a released block its bytes again, read anew from where they came from (a range of a
   * file), for a retry; throws when that file changed since. Absent for blocks held in memory.
   */
  reread?: () => void;
  /**
   * Where the bytes of a block left in its file are read from (a range for per-block processes,
   * `parts` empty): a worker reads them a piece at a time as its pipe takes them, so a block
   * holds no memory however large, and a retry reads the file again.
   */
  source?: BlockSource;
  /** Its last try, as the machine that ran it reports it (a queue's worker): --joblog's row. */
  tried?: BlockTry;
}

/** The pieces a block left in its file is scanned and sent in: the size of a worker's pipe. */
export const PIECE = 1024 * 1024;

/** The bytes of a block left in its file. */
export interface BlockSource {
  /**
   * Reads `length` of the block's bytes from its byte `at` into `into`, all of them; rejects
   * when the file changed since it was cut (the run has been failed for it then).
   */
  read(into: Buffer, at: number, length: number): Promise<void>;
  /** The open file the block is in: the kernel can send it from there (`Transport.sendSource`). */
  readonly fd: number;
  /** Where the block starts in that file. */
  readonly position: number;
  /**
   * Whether the file is as it was when reading began: asked before the kernel sends a block from
   * it, and (`short`) after it sent fewer bytes than the block holds. False when it changed: the
   * run has been failed for it then, as for a `read` that rejects.
   */
  check(short?: boolean): boolean;
  /**
   * The block could not be sent from the file, for `reason`: the run fails for it, with exit 1,
   * or 2 (`usage`) where the system was out of processes or descriptors (`describeStartError`).
   */
  failed(reason: string, usage?: boolean): void;
}

/** A block's try where it ran, when that is not here (a queue's worker, on its machine). */
export interface BlockTry {
  /** The machine's name. */
  host: string;
  /** The worker's slot there (its `MANIFOLD_SLOT`). */
  slot: number;
  /** When the try started, in ms since the epoch, by that machine's clock. */
  start: number;
  runtimeMs: number;
  /** Tries so far, this one included (deliveries of the block, for a queue). */
  attempts: number;
  exitCode: number | null;
  signal: string | null;
}

/**
 * The block without its bytes: what a message needs to name it (number, records), kept after
 * the bytes are gone so that the input's buffers are not held alive for a message.
 */
export function withoutBytes(block: Block): Block {
  return { ...block, parts: [] };
}

/**
 * The block for each of `n` workers that all take it (`--dispatch broadcast`): a copy each, whose
 * `release` lets the block's memory go only once every copy's has been called, since a buffer
 * given back after the first worker took its bytes would be read into while the others still
 * wait to write them. Without a `release` the block itself serves them all.
 */
export function shareAmong(block: Block, n: number): Block[] {
  const { release } = block;
  if (release === undefined || n === 1) return new Array<Block>(n).fill(block);
  let holders = n;
  return Array.from({ length: n }, () => {
    const copy: Block = { ...block };
    // Once per copy, whoever calls it: a transport calls the function it took when it sent the
    // copy, the fan the copy's own when it is done.
    let released = false;
    copy.release = () => {
      if (released) return;
      released = true;
      copy.release = undefined;
      if (--holders === 0) release();
    };
    return copy;
  });
}

/**
 * Names the input's records (or bytes) `first` to `last` (1-based) where the input is several
 * files read as one stream: by the files where they lie and their places there (`b:1-1024`,
 * `a:2001-2048, b:1-976`); null where that cannot be told. Called only as a message is made.
 */
export type RangeNamer = (unit: 'record' | 'byte', first: number, last: number) => string | null;

/**
 * `block 3 (records 2049-3072)`, for messages; `block 3 (b:1-1024)` with `places`, which names
 * a range of several input files in them. A worker's part of an input block under
 * `--dispatch hash` is named by its own number (`MANIFOLD_BLOCK`, `--joblog`'s `Seq`) and the
 * range its records were picked from: `block 5 (7 records picked by key from records 27-38)`.
 */
export function describeBlock(block: Block, places?: RangeNamer): string {
  const source = block.scatteredFrom;
  if (source !== undefined) {
    const records = block.records === 1 ? '1 record' : `${block.records} records`;
    return `block ${block.seq + 1} (${records} picked by key from ${rangeOf(source, places)})`;
  }
  return `block ${block.seq + 1} (${rangeOf(block, places)})`;
}

/** `records 2049-3072`, `bytes 1-1024` where its records are not counted, `no records`. */
function rangeOf(block: Block, places?: RangeNamer): string {
  if (block.records < 0 && block.numbering !== undefined) {
    const numbered = block.numbering();
    if (numbered !== null) return rangeOf({ ...block, ...numbered, numbering: undefined }, places);
  }
  if (block.records < 0 && block.offset !== undefined) {
    const [first, last] = [block.offset + 1, block.offset + (block.inputBytes ?? block.bytes)];
    return places?.('byte', first, last) ?? `bytes ${first}-${last}`;
  }
  if (block.records === 0) return 'no records';
  const [first, last] = [block.firstRecord, block.firstRecord + block.records - 1];
  return places?.('record', first, last) ?? `records ${first}-${last}`;
}
