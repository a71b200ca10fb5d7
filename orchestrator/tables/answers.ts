import { isUtf8 } from 'node:buffer';
import type { ServerResponse } from 'node:http';

/** How a batch's values are written: JSON strings of the text, or of the bytes in base64. */
export type ValueEncoding = 'utf8' | 'base64';

export const NDJSON = 'application/x-ndjson; charset=utf-8';
const NULL_LINE = Buffer.from('null\n');
const NOT_UTF8 = Buffer.from('{"error":"the value is not UTF-8: ask with ?encoding=base64"}\n');
// Response bytes are gathered into blocks of this size and written a block at a time: one
// write per block, not per key, and a small batch still gets an error status if one is due.
const BLOCK = 64 * 1024;

/**
 * The answers of a batch, one NDJSON line per key, in order: the value as a JSON string, or
 * `null` for a key the table does not hold. Values are copied into blocks as they are looked
 * up (a table's Buffer is valid until the next lookup only); plain ASCII values, the usual
 * case, are copied as they are, without making a string of them.
 */
export class AnswerWriter {
  #block = Buffer.allocUnsafe(BLOCK);
  #used = 0;
  readonly #res: ServerResponse;
  readonly #encoding: ValueEncoding;

  constructor(res: ServerResponse, encoding: ValueEncoding) {
    this.#res = res;
    this.#encoding = encoding;
  }

  /** Adds the answer for one key; returns false when the response wants the body paused. */
  answer(value: Buffer | undefined): boolean {
    if (value === undefined) return this.#put(NULL_LINE);
    if (this.#encoding === 'base64') return this.#putText(`"${value.toString('base64')}"\n`);
    if (isPlain(value)) {
      this.#reserve(value.length + 3);
      this.#block[this.#used++] = 0x22;
      this.#used += value.copy(this.#block, this.#used);
      this.#block[this.#used++] = 0x22;
      this.#block[this.#used++] = 0x0a;
      return this.#flushIfFull();
    }
    if (!isUtf8(value)) return this.#put(NOT_UTF8);
    return this.#putText(`${JSON.stringify(value.toString('utf8'))}\n`);
  }

  /** Writes what is gathered; `end` ends the response. */
  flush(end: boolean): boolean {
    const ready = this.#used === 0 ? true : this.#res.write(this.#block.subarray(0, this.#used));
    // The response may hold on to the block until it is sent: start a new one.
    if (this.#used > 0) this.#block = Buffer.allocUnsafe(BLOCK);
    this.#used = 0;
    if (end) this.#res.end();
    return ready;
  }

  #put(bytes: Buffer): boolean {
    this.#reserve(bytes.length);
    this.#used += bytes.copy(this.#block, this.#used);
    return this.#flushIfFull();
  }

  #putText(text: string): boolean {
    const length = Buffer.byteLength(text);
    this.#reserve(length);
    this.#used += this.#block.write(text, this.#used);
    return this.#flushIfFull();
  }

  #reserve(length: number): void {
    if (this.#used + length <= this.#block.length) return;
    this.flush(false);
    if (length > this.#block.length) this.#block = Buffer.allocUnsafe(length);
  }

  #flushIfFull(): boolean {
    return this.#used < BLOCK ? true : this.flush(false);
  }
}

/** Printable ASCII with no `"` or `\`: a JSON string's bytes as they are. */
function isPlain(value: Buffer): boolean {
  for (let i = 0; i < value.length; i++) {
    const byte = value[i]!;
    if (byte < 0x20 || byte > 0x7e || byte === 0x22 || byte === 0x5c) return false;
  }
  return true;
}
