import {
  type BoundaryFinder,
  createBoundaryFinder,
  framingBytes,
} from '../../filters/framing/boundary.js';
import {
  ExitCode,
  type Framing,
  frameTooLargeText,
  ManifoldError,
  recordTooLargeText,
  truncatedFrameText,
} from '../../filters/index.js';
import { type Block, describeBlock, type RangeNamer } from '../workers/block.js';
import { RecordMeasure } from './record-measure.js';

/**
 * Passes a worker's output on in whole records only, so that records from different workers
 * never interleave inside a record. It finds only the last record boundary of each chunk: the
 * records before it pass as the chunk's own bytes, without being cut one by one (unless they
 * could be over `maxRecord`: then each is measured). A record still open is held, up to
 * `maxRecord` bytes.
 */
export class WholeRecords {
  readonly #framing: Framing;
  #finder: BoundaryFinder;
  readonly #maxRecord: number;
  readonly #maxRecordName: string;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /**
   * Records ended by one byte are measured against the limit where a piece and what is held
   * could hold one over it: the record held open, once it ends, and any inside the piece, two
   * searches a window. Other framings' records are then found one by one and measured.
   */
  readonly #measure: RecordMeasure | null;
  /** The bytes of framing around each record (a delimiter, a header), not in its size. */
  readonly #overhead: number;

  /** `maxRecordName`: --max-record as messages spell it (a config's `max-record`). */
  constructor(
    framing: Framing,
    maxRecord = Number.POSITIVE_INFINITY,
    maxRecordName = '--max-record',
  ) {
    this.#maxRecordName = maxRecordName;
    this.#framing = framing;
    this.#finder = createBoundaryFinder(framing);
    this.#maxRecord = maxRecord;
    this.#measure =
      framing.kind === 'delimited' && framing.delimiter.length === 1 && Number.isFinite(maxRecord)
        ? new RecordMeasure(framing.delimiter[0]!, maxRecord)
        : null;
    this.#overhead = framingBytes(framing);
  }

  /** Bytes held back: the start of a record not yet ended. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Returns the whole records completed by `chunk`, as Buffers to write in order. `source`
   * names whose output it is for a record over the limit (`worker 2 output of block 3 (...)`).
   */
  push(chunk: Buffer, source: OutputSource = OUTPUT): Buffer[] {
    if (chunk.length === 0) return [];
    const measure = this.#measure;
    const large = this.#pendingBytes + chunk.length > this.#maxRecord;
    if (measure !== null && large) {
      measure.start(this.#pendingBytes);
      const long = measure.push(chunk);
      if (long !== null) {
        throw outputRecordTooLarge(source, this.#maxRecord, long.size, this.#maxRecordName);
      }
    }
    const found =
      large && measure === null ? this.#lastMeasured(chunk, source) : this.#finder.last(chunk, 0);
    if (found < 0) {
      this.#hold(chunk, source);
      return [];
    }
    // A record known to end by the start string after it may have ended in what is held.
    const cut = found - (this.#finder.lookahead ?? 0);
    if (cut < 0) return this.#heldEnd(chunk, cut, source);
    const out = this.#pending;
    out.push(cut === chunk.length ? chunk : chunk.subarray(0, cut));
    this.#pending = [];
    this.#pendingBytes = 0;
    if (cut < chunk.length) this.#hold(chunk.subarray(cut), source);
    return out;
  }

  /**
   * At the end of the output: a final record without its delimiter, as it is. Whoever writes
   * the output puts a delimiter after it if more follows (see RecordSeam). A frame cut short is
   * no record: the run fails, naming `source`, as a frames reader of the output would.
   */
  end(source: OutputSource = OUTPUT): Buffer[] {
    if (this.#framing.kind === 'frames' && this.#pendingBytes > 0) {
      const held = this.#pendingBytes;
      const header = held < 4 ? null : Buffer.concat(this.#pending, 4).readUInt32BE(0);
      this.discard();
      throw new ManifoldError(
        'manifold.truncatedRecord',
        `${named(source)}: ${truncatedFrameText(header, held, 'the output')}`,
        { exitCode: ExitCode.failure },
      );
    }
    // Ended by the output's end: a delimiter begun at its end is the record's, and counts.
    if (this.#pendingBytes > this.#maxRecord) {
      const held = this.#pendingBytes;
      this.discard();
      throw outputRecordTooLarge(source, this.#maxRecord, held, this.#maxRecordName);
    }
    const out = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    // Output after this is another's: no delimiter or start string goes on across it.
    this.#finder = createBoundaryFinder(this.#framing);
    return out;
  }

  /** Forgets the record held open: its writer failed before ending it. */
  discard(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#finder = createBoundaryFinder(this.#framing);
  }

  /**
   * `last` for framings not ended by one byte, where `chunk` and what is held could hold a
   * record over the limit: each record that ends in `chunk` is found and measured.
   */
  #lastMeasured(chunk: Buffer, source: OutputSource): number {
    const finder = this.#finder;
    const lookahead = finder.lookahead ?? 0;
    // Where the record in progress began, from the start of `chunk` (before it, when held).
    let start = -this.#pendingBytes;
    let found = -1;
    for (let end = finder.next(chunk, 0); end >= 0; end = finder.next(chunk, end)) {
      const size = end - lookahead - start - this.#overhead;
      if (size > this.#maxRecord) {
        throw outputRecordTooLarge(source, this.#maxRecord, size, this.#maxRecordName);
      }
      start = end - lookahead;
      found = end;
    }
    return found;
  }

  /** The last record ended `-cut` bytes before `chunk`, in what is held: the held bytes to it. */
  #heldEnd(chunk: Buffer, cut: number, source: OutputSource): Buffer[] {
    const held = Buffer.concat(this.#pending, this.#pendingBytes);
    const at = held.length + cut;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#hold(held.subarray(at), source);
    this.#hold(chunk, source);
    return [held.subarray(0, at)];
  }

  #hold(bytes: Buffer, source: OutputSource): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    // The record so far: not a delimiter or start string begun at its end, nor a frame's header.
    const open = this.#pendingBytes - (this.#finder.framingHeld ?? 0);
    if (open > this.#maxRecord) {
      throw outputRecordTooLarge(source, this.#maxRecord, open, this.#maxRecordName);
    }
    // A frame held open says its length in its header: one over the limit fails now, not once
    // that much has come (text where frames were meant reads as a header of a GiB or more).
    if (this.#framing.kind === 'frames' && this.#pendingBytes >= 4) {
      const length = Buffer.concat(this.#pending, 4).readUInt32BE(0);
      if (length > this.#maxRecord)
        throw new ManifoldError(
          'manifold.recordTooLarge',
          `${named(source)}: ${frameTooLargeText(length, this.#maxRecord, this.#maxRecordName, 'it')}`,
          { exitCode: ExitCode.failure },
        );
    }
  }
}

/** All of `parts`, a worker's complete output for something, as whole records. */
export function wholeRecordsOf(
  framing: Framing,
  parts: Buffer[],
  maxRecord?: number,
  maxRecordName?: string,
  source: OutputSource = OUTPUT,
): Buffer[] {
  const whole = new WholeRecords(framing, maxRecord, maxRecordName);
  const out = parts.flatMap((part) => whole.push(part, source));
  out.push(...whole.end(source));
  return out;
}

/**
 * Whose output it is, for a message: the name, or what makes it when a message needs it (a
 * block of several input files is named in them by reading them again: input-places.ts).
 */
export type OutputSource = string | (() => string);

/** Output whose worker is not known where it is measured. */
const OUTPUT = "a worker's output";

/**
 * Whose output a record is, for messages: `worker 2 output` (`host h1: worker 2 output` on a
 * host), and `of block 3 (records 41-60)` where the output is tied to its block, as the sorted
 * merge names its runs (`places`: as describeBlock).
 */
export function outputSource(
  worker: { slot: number; outputMaker?(block?: Block): string | undefined },
  block?: Block,
  places?: RangeNamer,
): string {
  const maker = worker.outputMaker?.(block) ?? `worker ${worker.slot}`;
  if (block === undefined) return `${maker} output`;
  return `${maker} output of ${describeBlock(block, places)}`;
}

/**
 * `outputSource`, its worker named now (a host's slot moves when its host is dropped) and its
 * block only when a message is made: output tied to tiny blocks comes a chunk per block, and
 * the message made for each, needed only for a record over --max-record, cost more than the
 * chunk.
 */
export function outputSourceLater(
  worker: { slot: number; outputMaker?(block?: Block): string | undefined },
  block: Block | undefined,
  places: RangeNamer | undefined,
): OutputSource {
  if (block === undefined) return outputSource(worker, block);
  const maker = worker.outputMaker?.(block);
  return () => `${maker ?? `worker ${worker.slot}`} output of ${describeBlock(block, places)}`;
}

/**
 * A record over --max-record in `source`'s output (`bytes` of it so far): the run fails. Named
 * as an input record is, by where it is, before what is wrong with it.
 */
export function outputRecordTooLarge(
  source: OutputSource,
  maxRecord: number,
  bytes: number,
  name = '--max-record',
): ManifoldError {
  return new ManifoldError(
    'manifold.recordTooLarge',
    `${named(source)}: ${recordTooLargeText(maxRecord, bytes, false, name)}`,
    { exitCode: ExitCode.failure },
  );
}

const named = (source: OutputSource) => (typeof source === 'function' ? source() : source);
