import { crc32 } from './crc32.js';
import {
  decodeHeader,
  FRAME_HEADER,
  type Frame,
  FrameError,
  type FrameHeader,
  FrameKind,
} from './frame.js';

export interface FrameReaderOptions {
  /**
   * The largest payload accepted; a frame announcing more is an error before anything is
   * allocated for it (a corrupted or hostile length must not allocate gigabytes).
   * @default 1 GiB
   */
  maxPayload?: number;
  /**
   * A frame across chunks is handed on as views of them (`parts`), not copied into one buffer:
   * for payloads that are written on (a block to a command, output to the merge), which take
   * a list of buffers as well as one. @default false
   */
  pieces?: boolean;
}

const DEFAULT_MAX_PAYLOAD = 1024 * 1024 * 1024;

/**
 * Cuts a byte stream into frames. A frame inside one chunk is handed on as a view of it (no
 * copy); a frame across chunks is read into one buffer allocated from its length prefix, each
 * byte copied once, never joined again. A frame whose checksum does not match, an unknown kind
 * or a foreign stream throws a FrameError from `push`; the reader is then of no further use.
 */
export class FrameReader {
  readonly #onFrame: (frame: Frame) => void;
  readonly #maxPayload: number;
  readonly #pieces: boolean;
  readonly #header = Buffer.allocUnsafe(FRAME_HEADER);
  #headerFilled = 0;
  #current: FrameHeader | undefined;
  #payload: Buffer | undefined;
  #payloadFilled = 0;
  #parts: Buffer[] = [];

  constructor(onFrame: (frame: Frame) => void, options: FrameReaderOptions = {}) {
    this.#onFrame = onFrame;
    this.#maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.#pieces = options.pieces ?? false;
  }

  /** Bytes of an unfinished frame held so far. */
  get buffered(): number {
    return this.#current === undefined ? this.#headerFilled : FRAME_HEADER + this.#payloadFilled;
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#current === undefined) {
        let header: FrameHeader;
        if (this.#headerFilled === 0 && chunk.length - offset >= FRAME_HEADER) {
          header = decodeHeader(chunk, offset);
          offset += FRAME_HEADER;
        } else {
          const taken = Math.min(FRAME_HEADER - this.#headerFilled, chunk.length - offset);
          chunk.copy(this.#header, this.#headerFilled, offset, offset + taken);
          this.#headerFilled += taken;
          offset += taken;
          if (this.#headerFilled < FRAME_HEADER) return;
          header = decodeHeader(this.#header);
          this.#headerFilled = 0;
        }
        this.#check(header);
        if (chunk.length - offset >= header.length) {
          this.#emit(header, chunk.subarray(offset, offset + header.length));
          offset += header.length;
          continue;
        }
        this.#current = header;
        if (!this.#pieces) this.#payload = Buffer.allocUnsafe(header.length);
        this.#payloadFilled = 0;
      }
      const header = this.#current!;
      const taken = Math.min(header.length - this.#payloadFilled, chunk.length - offset);
      if (this.#pieces) this.#parts.push(chunk.subarray(offset, offset + taken));
      else chunk.copy(this.#payload!, this.#payloadFilled, offset, offset + taken);
      this.#payloadFilled += taken;
      offset += taken;
      if (this.#payloadFilled === header.length) {
        const payload = this.#payload;
        const parts = this.#parts;
        this.#current = undefined;
        this.#payload = undefined;
        this.#parts = [];
        this.#payloadFilled = 0;
        if (payload === undefined) this.#emitParts(header, parts);
        else this.#emit(header, payload);
      }
    }
  }

  /** The stream has ended: throws a FrameError if it ended inside a frame. */
  end(): void {
    if (this.buffered === 0) return;
    const expected =
      this.#current === undefined
        ? 'a frame header'
        : `a frame of ${FRAME_HEADER + this.#current.length} bytes`;
    throw new FrameError(`the stream ended inside ${expected} (${this.buffered} bytes of it read)`);
  }

  #check(header: FrameHeader): void {
    if (header.length > this.#maxPayload) {
      throw new FrameError(
        `a ${FrameKind[header.kind]} frame (sequence ${header.seq}) announces ${header.length} bytes, over the limit of ${this.#maxPayload}`,
      );
    }
  }

  #emit(header: FrameHeader, payload: Buffer): void {
    checkSum(header, [payload]);
    const { kind, flags, channel, run, seq } = header;
    this.#onFrame({
      kind,
      flags,
      channel,
      run,
      seq,
      payload,
      ...(this.#pieces && { parts: [payload] }),
    });
  }

  #emitParts(header: FrameHeader, parts: Buffer[]): void {
    checkSum(header, parts);
    const { kind, flags, channel, run, seq } = header;
    let joined: Buffer | undefined;
    this.#onFrame({
      ...{ kind, flags, channel, run, seq, parts },
      get payload() {
        joined ??= Buffer.concat(parts);
        return joined;
      },
    });
  }
}

function checkSum(header: FrameHeader, parts: readonly Buffer[]): void {
  if (crc32(parts) !== header.checksum) {
    const length = parts.reduce((sum, part) => sum + part.length, 0);
    throw new FrameError(
      `the ${FrameKind[header.kind]} frame with sequence ${header.seq} failed its checksum (${length} bytes)`,
    );
  }
}
