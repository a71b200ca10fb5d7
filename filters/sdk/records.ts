import { RecordError, UsageError } from '../errors.js';
import type { RecordDecoder } from '../framing/decoder.js';
import { DelimitedDecoder } from '../framing/delimited.js';
import { isSameEncoding } from '../framing/encoder.js';
import { type Framing, isAsciiDelimiter, isBlankRecord } from '../framing/spec.js';
import { parseJsonText } from '../json-text.js';
import type { RecordKind } from './types.js';

/** Marks a blank ndjson line: it keeps its line number but reaches no transform. */
export const SKIP: unique symbol = Symbol('skip');

/** The records of one read, as the filter asked for them. */
export interface Batch {
  records: unknown[];
  /**
   * What to write, by index, when a transform returns a record unchanged: the original bytes of
   * text records that are not valid UTF-8, and the original text of JSON records.
   */
  originals: (Buffer | string)[];
  /** The number of the first record. */
  first: number;
  /**
   * From this index on, records are views lying in the input with the output's framing: when
   * returned unchanged, `decoder.encoded` gives their bytes as one slice. Infinity when not.
   */
  spanStart: number;
  /**
   * The error met while reading this chunk (a record that does not parse, a decoding error), or
   * null. `records` then holds the records before it, which are transformed and written first,
   * as jq and other Unix filters do.
   */
  failure: unknown;
}

/**
 * Turns decoded bytes into the records a filter asked for: Buffer views, strings, or JSON values.
 * In ndjson input every record must parse, whatever the filter asked for.
 */
export class RecordReader {
  readonly #decoder: RecordDecoder;
  readonly #kind: RecordKind;
  readonly #json: boolean;
  readonly #input: string;
  /** Text split from the decoded string; only for a one-byte ASCII delimiter. */
  readonly #fastText: DelimitedDecoder | null;
  readonly #spans: boolean;
  /** Added to record numbers: the number of records before this input (protocol blocks). */
  recordOffset = 0;

  constructor(
    decoder: RecordDecoder,
    split: Framing,
    join: Framing,
    kind: RecordKind,
    input: string,
  ) {
    this.#spans = kind === 'buffer' && isSameEncoding(split, join);
    this.#decoder = decoder;
    this.#kind = kind;
    this.#json = kind === 'json' || (split.kind === 'delimited' && split.json);
    this.#input = input;
    this.#fastText =
      kind !== 'buffer' && isAsciiDelimiter(split) && decoder instanceof DelimitedDecoder
        ? decoder
        : null;
  }

  /**
   * How much to read at a time: text is read in 64 KiB so that a batch's strings die young,
   * which V8's scavenger makes cheap; bytes in 1 MiB, for fewer system calls.
   */
  get readSize(): number {
    return this.#kind === 'buffer' ? 1024 * 1024 : 64 * 1024;
  }

  /**
   * Buffer records are views of the memory read into, which a filter may keep: false when it
   * says it keeps none past the call that gets them (`FilterSpec.keepsRecords`).
   */
  keepsRecords = true;

  /**
   * Whether the memory of an earlier read may be read into again, once its batch is done and
   * written: when no record given out is a view of it (text and JSON records are decoded, so
   * copies; Buffer records only for a filter that keeps none), and the unfinished record kept
   * for the next read lies elsewhere.
   */
  mayReuse(memory: ArrayBufferLike): boolean {
    const decoder = this.#decoder;
    if (!(decoder instanceof DelimitedDecoder)) return false;
    if (this.#kind === 'buffer' && this.keepsRecords) return false;
    return !decoder.holds(memory);
  }

  read(chunk: Buffer | null): Batch {
    const first = this.recordOffset + this.#decoder.count + 1;
    const originals: (Buffer | string)[] = [];
    let records: unknown[];
    let failure: unknown = null;
    if (this.#fastText !== null) {
      if (chunk === null) {
        const text: string[] = [];
        this.#fastText.endText(text, originals);
        records = text;
      } else {
        ({ records, failure } = this.#fastText.pushText(chunk, originals));
      }
    } else {
      const views: Buffer[] = [];
      try {
        if (chunk === null) this.#decoder.end(views);
        else this.#decoder.push(chunk, views);
      } catch (error) {
        // A decoder hands out each record as it finds it: those before the error stand.
        failure = error;
      }
      records = this.#kind === 'buffer' ? views : toText(views, originals);
    }
    // The decoder counts the block's records: its error names the record in the whole input.
    if (failure instanceof RecordError && this.recordOffset > 0) failure = this.#shifted(failure);
    if (this.#json) {
      const parsed = this.#parse(records, first, originals);
      records = parsed.values;
      failure = parsed.failure ?? failure;
    }
    const spanStart = this.#spans ? this.#decoder.spanStart : Number.POSITIVE_INFINITY;
    return { records, originals, first, spanStart, failure };
  }

  #shifted(error: RecordError): RecordError {
    const at = error.position;
    return 'record' in at ? error.at({ ...at, record: at.record + this.recordOffset }) : error;
  }

  /** Parses each record; stops at the first that does not parse, and returns those before it. */
  #parse(
    records: unknown[],
    first: number,
    originals: (Buffer | string)[],
  ): { values: unknown[]; failure: RecordError | null } {
    const values: unknown[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as string | Buffer;
      if (isBlankRecord(record)) {
        values[i] = SKIP;
        continue;
      }
      const text = typeof record === 'string' ? record : record.toString('utf8');
      let value: unknown;
      try {
        value = parseJsonText(text);
      } catch (error) {
        const message = (error as Error).message;
        values.length = i;
        const failure = new RecordError(
          { input: this.#input, record: first + i },
          `invalid JSON: ${message}`,
          { cause: error },
        );
        return { values, failure };
      }
      if (this.#kind === 'json') {
        values[i] = value;
        originals[i] ??= record;
      } else {
        values[i] = record;
      }
    }
    return { values, failure: null };
  }
}

function toText(views: Buffer[], originals: (Buffer | string)[]): string[] {
  const text: string[] = new Array(views.length);
  for (let i = 0; i < views.length; i++) {
    const view = views[i]!;
    text[i] = view.toString('utf8');
    if (text[i]!.includes('\uFFFD')) originals[i] = view;
  }
  return text;
}

const KINDS: readonly unknown[] = ['buffer', 'text', 'json'] satisfies RecordKind[];

/**
 * The kind of record a declaration's `records` gives, refused when it is none: plain JavaScript
 * has no types to catch 'bytes' or 'ndjson', which gave text records without a word.
 */
export function knownKind(kind: unknown): RecordKind {
  if (KINDS.includes(kind)) return kind as RecordKind;
  const named = typeof kind === 'string' ? JSON.stringify(kind) : String(kind);
  throw new UsageError(`records is ${named}, not one of 'buffer', 'text' or 'json'`);
}
