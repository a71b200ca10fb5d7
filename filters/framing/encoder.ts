import { encodeValue, outputRecordError } from './encode-value.js';
import { checkStarted } from './encoder-checks.js';
import { type Framing, isAsciiDelimiter, MAX_FRAME, recordDelimiter } from './spec.js';

/** Above this many parts, a take copies them into one Buffer rather than hand the kernel crumbs. */
const MAX_PARTS = 64;
const TEXT_WINDOW = 64 * 1024;

/** Where joined output text is encoded: fresh Buffers unless given (a thread's scratch). */
export interface TextMemory {
  /** `text` as UTF-8, valid until its owner says otherwise. */
  encode(text: string): Buffer;
  /**
   * Copies `record` and then `delimiter` in, one after the other, after what was written last;
   * returns where the record starts in `buffer`, or -1 (nothing copied) when they do not fit.
   */
  append(record: Uint8Array, delimiter: Uint8Array): number;
  /** The memory `append` copies into. */
  readonly buffer: Buffer | null;
}

/**
 * Encodes output records in a framing and batches them into few large Buffers.
 *
 * Consecutive string records are joined with the delimiter and encoded in one call; Buffers are
 * kept as they are until taken. Input bytes that pass unchanged are not records here at all:
 * the runner hands them over as one slice with `addEncoded`.
 */
export class RecordEncoder {
  readonly #framing: Framing;
  readonly #delimiter: Buffer;
  readonly #textJoin: string | null;
  readonly #json: boolean;
  #parts: Buffer[] = [];
  #bytes = 0;
  /**
   * Byte records copied into the memory one after another, not yet a part: where they start and
   * end in its buffer (start -1: none). Thousands of records make one part, and no view each.
   */
  #spanStart = -1;
  #spanEnd = -1;
  #text: string[] = [];
  #textLength = 0;
  /** Fixed: the length of a short record written, after which no record may come; else -1. */
  #short = -1;
  /** Started: whether anything was written, and whether it ends without the end string. */
  #wrote = false;
  #open = false;
  readonly #memory: TextMemory | null;

  constructor(framing: Framing, memory?: TextMemory) {
    this.#framing = framing;
    this.#memory = memory ?? null;
    this.#delimiter = recordDelimiter(framing) ?? Buffer.alloc(0);
    this.#textJoin = isAsciiDelimiter(framing) ? this.#delimiter.toString('latin1') : null;
    this.#json = framing.kind === 'delimited' && framing.json;
  }

  /** Bytes waiting to be taken, roughly (strings count one byte a character). */
  get pending(): number {
    return this.#bytes + this.#textLength;
  }

  /**
   * Adds one output record: a Buffer is written as it is, a string as UTF-8, anything else as
   * JSON. In ndjson output a string is JSON too (`"text"`), so values round-trip.
   */
  add(value: unknown): void {
    if (value instanceof Uint8Array) this.#addBytes(value);
    else if (typeof value === 'string' && !this.#json) this.#addText(value);
    else this.#addText(encodeValue(value));
  }

  /** Adds a string record: UTF-8 text, or a JSON string in ndjson output. */
  addString(text: string): void {
    this.#addText(this.#json ? JSON.stringify(text) : text);
  }

  /** True when strings are joined and encoded in one call: text output with an ASCII delimiter. */
  get joinsText(): boolean {
    return this.#textJoin !== null && !this.#json;
  }

  /** Adds strings as text records, consuming the array; only when `joinsText`. */
  addStrings(texts: string[]): void {
    if (texts.length === 0) return;
    this.#closeText();
    texts.push('');
    this.#push(this.#encode(texts.join(this.#textJoin!)));
  }

  /** Whether records are written as JSON values, one a line (ndjson output). */
  get json(): boolean {
    return this.#json;
  }

  /**
   * Whether a record's original bytes or text are one record here as they are: in ndjson
   * output, one line (JSON read from nul or frames may span lines).
   */
  holdsAsIs(original: Buffer | string): boolean {
    return (
      !this.#json ||
      !(typeof original === 'string' ? original.includes('\n') : original.includes(0x0a))
    );
  }

  /** Adds a record's original bytes or text, written as they are in any framing. */
  addOriginal(record: Buffer | string): void {
    if (typeof record === 'string') this.#addText(record);
    else this.#addBytes(record);
  }

  /** Adds bytes that are already encoded in this framing: unchanged records with their framing. */
  addEncoded(bytes: Buffer): void {
    if (bytes.length > 0) this.#checkAfterShort();
    // Records as they were read, framing and all: only how they follow the ones before is new.
    if (bytes.length > 0 && this.#framing.kind === 'started')
      this.#started(bytes, this.#framing, true);
    this.#closeText();
    this.#push(bytes);
  }

  /** Everything added since the last take, as Buffers to write in order. */
  take(): Buffer[] {
    this.#closeText();
    this.#closeSpan();
    let parts = this.#parts;
    if (parts.length > MAX_PARTS) parts = [Buffer.concat(parts, this.#bytes)];
    this.#parts = [];
    this.#bytes = 0;
    return parts;
  }

  #addText(text: string): void {
    if (this.#textJoin === null) {
      this.#addBytes(Buffer.from(text, 'utf8'));
      return;
    }
    this.#text.push(text);
    this.#textLength += text.length + 1;
    // Small joins, for the same reason the decoder decodes text in windows.
    if (this.#textLength > TEXT_WINDOW) this.#closeText();
  }

  #addBytes(record: Uint8Array): void {
    this.#closeText();
    const framing = this.#framing;
    switch (framing.kind) {
      case 'delimited':
      case 'multiline':
        if (this.#memory !== null && this.#appendRecord(this.#memory, record)) return;
        this.#push(record);
        this.#push(this.#delimiter);
        return;
      case 'frames': {
        if (record.length > MAX_FRAME) {
          throw outputRecordError(`record of ${record.length} bytes is too large for a frame`);
        }
        const header = Buffer.allocUnsafe(4);
        header.writeUInt32BE(record.length, 0);
        this.#push(header);
        this.#push(record);
        return;
      }
      case 'fixed':
        if (record.length > framing.size) {
          throw outputRecordError(
            `record is ${record.length} bytes; ${framing.name} output needs exactly ${framing.size}`,
          );
        }
        this.#checkAfterShort();
        // A short record can only be the last: as the decoder reads a short final record.
        if (record.length < framing.size) this.#short = record.length;
        this.#push(record);
        return;
      case 'started':
        this.#started(record, framing);
        this.#push(record);
        return;
      case 'raw':
        this.#push(record);
        return;
    }
  }

  #started(record: Uint8Array, framing: Extract<Framing, { kind: 'started' }>, span = false): void {
    this.#open = checkStarted(record, framing, this.#wrote, this.#open, span);
    this.#wrote = true;
  }

  #checkAfterShort(): void {
    if (this.#short < 0) return;
    const framing = this.#framing as Extract<Framing, { kind: 'fixed' }>;
    throw outputRecordError(
      `a record follows one of ${this.#short} bytes; in ${framing.name} output only the last record may be shorter than ${framing.size}`,
    );
  }

  #closeText(): void {
    if (this.#text.length === 0) return;
    this.#text.push('');
    this.#push(this.#encode(this.#text.join(this.#textJoin!)));
    this.#text = [];
    this.#textLength = 0;
  }

  /**
   * Copies a delimited byte record and its delimiter into the memory, after the records copied
   * before it when they are there: false (nothing done) when the memory has no room.
   */
  #appendRecord(memory: TextMemory, record: Uint8Array): boolean {
    const start = memory.append(record, this.#delimiter);
    if (start < 0) return false;
    if (start !== this.#spanEnd) {
      this.#closeSpan();
      this.#spanStart = start;
    }
    const size = record.length + this.#delimiter.length;
    this.#spanEnd = start + size;
    this.#bytes += size;
    return true;
  }

  /** The records copied into the memory, as one part. */
  #closeSpan(): void {
    if (this.#spanStart < 0) return;
    this.#parts.push(this.#memory!.buffer!.subarray(this.#spanStart, this.#spanEnd));
    this.#spanStart = -1;
    this.#spanEnd = -1;
  }

  #encode(text: string): Buffer {
    return this.#memory === null ? Buffer.from(text, 'utf8') : this.#memory.encode(text);
  }

  #push(part: Uint8Array): void {
    if (part.length === 0) return;
    this.#closeSpan();
    this.#parts.push(part as Buffer);
    this.#bytes += part.length;
  }
}

/** True when records written in `output` come out as the same bytes they were read as in `input`. */
export function isSameEncoding(input: Framing, output: Framing): boolean {
  if (input.kind !== output.kind) return false;
  if (input.kind === 'delimited' && output.kind === 'delimited') {
    return input.delimiter.equals(output.delimiter);
  }
  if (input.kind === 'fixed' && output.kind === 'fixed') return input.size === output.size;
  if (input.kind === 'multiline' && output.kind === 'multiline')
    return input.lines === output.lines;
  if (input.kind === 'started' && output.kind === 'started') {
    return input.start.equals(output.start) && input.end.equals(output.end);
  }
  return true;
}
