import { RecordError } from '../errors.js';
import { formatSizeOver, frameTooLarge, recordTooLarge } from '../size.js';
import { FixedDecoder, FramesDecoder, RawDecoder } from './counted.js';
import { DelimitedDecoder } from './delimited.js';
import { MultilineDecoder } from './multiline.js';
import { RegexpFinder } from './regexp-finder.js';
import type { Framing } from './spec.js';
import { StartFinder } from './start-finder.js';
import { StartedDecoder } from './started.js';

/** Where a decoder's records come from, and how large one may grow. */
export interface DecoderOptions {
  /** The input's name in error messages. @default 'stdin' */
  input?: string;
  /** The largest record accepted, in bytes. @default 64 MiB */
  maxRecord?: number;
  /** How messages name the limit's option (a config's `max-record`). @default '--max-record' */
  maxRecordName?: string;
  /**
   * What a record over `maxRecord` is told, when the limit is not --max-record's (a thread's
   * heap): the message, given what was seen of the record (`4.1 MiB so far`).
   */
  overLimit?: (seen: string) => string;
  /**
   * What a frame header over the limit asks about: `is the input frames?` by default; `it` for a
   * worker's output, as its other messages name it.
   * @default 'the input'
   */
  reading?: string;
}

/** Cuts a byte stream into records. Records are views of the chunks pushed, not copies. */
export interface RecordDecoder {
  /** Appends to `out` every record that ends in `chunk`; keeps the rest for the next push. */
  push(chunk: Buffer, out: Buffer[]): void;
  /** Appends the final record, when the input ended without a delimiter; then the decoder is done. */
  end(out: Buffer[]): void;
  /** The number of records emitted so far. */
  readonly count: number;
  /**
   * After a push, the index in `out` from which every record is a view of the chunk lying there
   * with its framing (its delimiter after it, its header before it), right after the previous
   * one. Unchanged records from there on can be written as one slice of input: `encoded`.
   */
  readonly spanStart: number;
  /** The input bytes that encode the records `first` to `last`, framing included. */
  encoded(first: Buffer, last: Buffer): Buffer;
}

export const DEFAULT_MAX_RECORD = 64 * 1024 * 1024;

export function createDecoder(framing: Framing, options: DecoderOptions = {}): RecordDecoder {
  const limits = new Limits(
    options.input ?? 'stdin',
    options.maxRecord ?? DEFAULT_MAX_RECORD,
    options.maxRecordName,
    options.overLimit,
    options.reading,
  );
  switch (framing.kind) {
    case 'delimited':
      return new DelimitedDecoder(framing.delimiter, limits);
    case 'frames':
      return new FramesDecoder(limits);
    case 'fixed':
      return new FixedDecoder(framing.size, limits);
    case 'started':
      return new StartedDecoder(new StartFinder(framing.start, framing.end), limits);
    case 'regexp':
      return new StartedDecoder(new RegexpFinder(framing), limits);
    case 'raw':
      return new RawDecoder();
    case 'multiline':
      return new MultilineDecoder(framing.lines, limits);
  }
}

/** The record size limit and the errors that name where it was broken. */
export class Limits {
  constructor(
    readonly input: string,
    readonly maxRecord: number,
    readonly maxRecordName = '--max-record',
    readonly overLimit?: (seen: string) => string,
    readonly reading = 'the input',
  ) {}

  tooLarge(record: number, size: number): RecordError {
    const at = { input: this.input, record };
    if (this.overLimit === undefined) {
      return recordTooLarge(at, this.maxRecord, size, false, this.maxRecordName);
    }
    const seen = `${formatSizeOver(size, this.maxRecord)} so far`;
    return new RecordError(at, this.overLimit(seen), { code: 'manifold.recordTooLarge' });
  }

  /**
   * A frame header announcing more than the limit: said as what the header says, since nothing
   * of it was read, and most often the input is not frames at all (text read as `--split frames`).
   */
  frameTooLarge(record: number, length: number): RecordError {
    if (this.overLimit !== undefined) {
      const seen = `its header says ${formatSizeOver(length, this.maxRecord)}`;
      return new RecordError({ input: this.input, record }, this.overLimit(seen), {
        code: 'manifold.recordTooLarge',
      });
    }
    const at = { input: this.input, record };
    return frameTooLarge(at, length, this.maxRecord, this.maxRecordName, this.reading);
  }

  truncated(record: number, message: string): RecordError {
    return new RecordError({ input: this.input, record }, message, {
      code: 'manifold.truncatedRecord',
    });
  }
}
