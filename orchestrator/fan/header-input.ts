import {
  type BoundaryFinder,
  createBoundaryFinder,
  framingBytes,
} from '../../filters/framing/boundary.js';
import { type Framing, type RecordError, recordTooLarge } from '../../filters/index.js';
import { frameTooLarge } from '../../filters/size.js';
import type { InputHeader } from '../workers/header.js';
import type { HeaderSpec } from './options.js';
import { looksLikeHeader } from './sniff.js';

/** `--header auto` looks at this many records after the first to decide. */
const SNIFF_RECORDS = 20;

/**
 * Takes the input's header (--header) off its start, before it is cut into blocks: the first n
 * records, or with `auto` the first when it looks like a CSV header (sniff.ts). Fills `header`,
 * which the workers give before each block; passes on the bytes after it. The records it holds
 * are held to --max-record as the splitter's are: one over it is refused as it grows past it.
 */
export class HeaderTaker {
  readonly #header: InputHeader;
  readonly #want: number;
  readonly #auto: boolean;
  readonly #finder: BoundaryFinder;
  readonly #held: Buffer[] = [];
  /** Where each record seen so far ends, in the held bytes. */
  readonly #ends: number[] = [];
  #heldBytes = 0;
  #taken = false;
  readonly #maxRecord: number;
  readonly #maxRecordName: string;
  /** The bytes of a record's framing (its delimiter), not counted in its size. */
  readonly #overhead: number;

  constructor(
    spec: HeaderSpec,
    framing: Framing,
    header: InputHeader,
    maxRecord = Number.POSITIVE_INFINITY,
    maxRecordName = '--max-record',
  ) {
    this.#header = header;
    this.#maxRecord = maxRecord;
    this.#maxRecordName = maxRecordName;
    this.#overhead = framingBytes(framing);
    this.#auto = spec === 'auto';
    this.#want = spec === 'auto' ? 1 + SNIFF_RECORDS : spec;
    this.#finder = createBoundaryFinder(framing);
  }

  /** Input bytes; returns those past the header, once it is known (none before). */
  push(chunk: Buffer): Buffer[] {
    if (this.#taken) return [chunk];
    const base = this.#heldBytes;
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    // A record known to end by the start string after it ended that many bytes before.
    const behind = base - (this.#finder.lookahead ?? 0);
    for (let end = this.#finder.next(chunk, 0); end >= 0; end = this.#finder.next(chunk, end)) {
      this.#ended(behind + end);
      if (this.#ends.length === this.#want) return this.#take();
    }
    // A frame whose header says it is over the limit is refused now, as the splitter does.
    const announced = this.#finder.announced ?? -1;
    if (announced > this.#maxRecord) {
      const at = { input: 'input', record: this.#ends.length + 1 };
      throw frameTooLarge(at, announced, this.#maxRecord, this.#maxRecordName);
    }
    // The record not yet ended so far: not a delimiter or start string begun at its end, nor a
    // frame's header (nor, for `regexp`, the bytes where an end may still be found).
    const framing = this.#finder.framingHeld ?? this.#finder.lookahead ?? 0;
    const open = this.#heldBytes - framing - (this.#ends.at(-1) ?? 0);
    if (open > this.#maxRecord) throw this.#tooLarge(open, false);
    return [];
  }

  /** A record ends at `end` of the held bytes: one over --max-record is refused. */
  #ended(end: number): void {
    const delimiter = this.#finder.delimiterBefore?.(end) ?? this.#overhead;
    const size = end - (this.#ends.at(-1) ?? 0) - delimiter;
    if (size > this.#maxRecord) throw this.#tooLarge(size, true);
    this.#ends.push(end);
  }

  /** The record after those ended so far, of `size` bytes (`whole`, or so far), is too large. */
  #tooLarge(size: number, whole: boolean): RecordError {
    const at = { input: 'input', record: this.#ends.length + 1 };
    return recordTooLarge(at, this.#maxRecord, size, whole, this.#maxRecordName);
  }

  /** The end of the input: what was held back, past the header. */
  end(): Buffer[] {
    if (this.#taken) return [];
    // The ends a finder is sure of only now, at the input's end (`regexp`).
    for (const back of this.#finder.finish?.() ?? []) {
      if (this.#ends.length === this.#want) break;
      this.#ended(this.#heldBytes - back);
    }
    return this.#take();
  }

  #take(): Buffer[] {
    this.#taken = true;
    const bytes = Buffer.concat(this.#held);
    const ends = this.#ends;
    const last = ends.at(-1) ?? 0;
    let records: number;
    let cut: number;
    if (this.#auto) {
      // A last record without its delimiter is looked at too.
      const lines = ends.map((end, i) => bytes.subarray(ends[i - 1] ?? 0, end));
      if (bytes.length > last) lines.push(bytes.subarray(last));
      records = lines.length > 1 && looksLikeHeader(lines) ? 1 : 0;
      cut = records === 0 ? 0 : lines[0]!.length;
    } else if (ends.length >= this.#want) {
      records = this.#want;
      cut = ends[this.#want - 1]!;
    } else {
      // An input that ends before the header does has none: what there is are records, as
      // `parallel --pipe --header` takes it (its header pattern never matches), so a worker
      // runs on them (`cat` writes them) rather than nothing at all being written. A frame
      // cut off is then a truncated frame, as without --header.
      records = 0;
      cut = 0;
    }
    const header = this.#header;
    header.parts = cut === 0 ? [] : [bytes.subarray(0, cut)];
    header.bytes = cut;
    header.records = records;
    return cut === bytes.length ? [] : [bytes.subarray(cut)];
  }
}
