/**
 * manifold's block protocol, spoken by SDK filters run with `--protocol manifold`, so that a
 * persistent worker's output can be tied to the blocks of input that produced it.
 *
 * To the worker, each block is a 16-byte header and the block's bytes:
 *   u32 block number, u32 byte length, f64 number of the block's first record (all big-endian).
 * From the worker, output comes in messages: u32 block number, u32 byte length, then the bytes.
 * A message of length 0 ends the block's output. Output written after the last block (a
 * filter's flush) carries the block number TRAILING. A process's first message, before anything
 * else, is the GREETING: manifold knows by it that the command speaks the protocol (an SDK
 * filter), and tells a command that does not (`cat`) apart from one that failed. Its payload
 * says which version of the protocol, and of the SDK: `{"protocol":2,"sdk":"0.1.0"}`, and
 * `"flush":true` for a filter with a flush, whose output aggregates what every block gave it.
 */
export const PROTOCOL_NAME = 'manifold';
export const TO_WORKER_HEADER = 16;
export const FROM_WORKER_HEADER = 8;
export const TRAILING = 0xffffffff;
export const GREETING = 0xfffffffe;

/**
 * The version of the protocol this package speaks. 2: the greeting says its version; 1, an
 * empty greeting (older SDKs), is the same protocol otherwise, and understood.
 */
export const PROTOCOL_VERSION = 2;
/** The versions this package's manifold understands. */
const UNDERSTOOD = [1, 2];
/** A greeting longer than this is not one. */
export const MAX_GREETING = 1024;

/** What a filter's greeting says: its protocol's version, and its SDK's (null: not said). */
export interface Greeting {
  protocol: number;
  sdk: string | null;
  /** It has a flush: a fresh instance cannot give again what the blocks it did gave it. */
  flush: boolean;
}

/** The greeting message of a filter whose SDK is version `sdk`; `flush`: it has one. */
export function greetingMessage(sdk: string, flush = false): Buffer {
  const said = flush
    ? { protocol: PROTOCOL_VERSION, sdk, flush }
    : { protocol: PROTOCOL_VERSION, sdk };
  const payload = Buffer.from(JSON.stringify(said));
  return Buffer.concat([outputHeader(GREETING, payload.length), payload]);
}

/** A greeting's payload read, or null when it is none (then the output is not the protocol). */
export function readGreeting(payload: Buffer): Greeting | null {
  if (payload.length === 0) return { protocol: 1, sdk: null, flush: false };
  let said: unknown;
  try {
    said = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  const { protocol, sdk, flush } = (said ?? {}) as Record<string, unknown>;
  if (!Number.isInteger(protocol)) return null;
  const version = typeof sdk === 'string' ? sdk : null;
  return { protocol: protocol as number, sdk: version, flush: flush === true };
}

/** Whether this manifold understands the protocol a greeting names. */
export function understands(greeting: Greeting): boolean {
  return UNDERSTOOD.includes(greeting.protocol);
}

export function blockHeader(seq: number, length: number, firstRecord: number): Buffer {
  const header = Buffer.allocUnsafe(TO_WORKER_HEADER);
  header.writeUInt32BE(seq, 0);
  header.writeUInt32BE(length, 4);
  header.writeDoubleBE(firstRecord, 8);
  return header;
}

export function outputHeader(seq: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(FROM_WORKER_HEADER);
  header.writeUInt32BE(seq, 0);
  header.writeUInt32BE(length, 4);
  return header;
}

/**
 * Reads a stream of messages with `headerSize`-byte headers whose bytes 0-4 give the block's
 * number and bytes 4-8 the payload length, calling `onMessage` with the header and payload of
 * each complete one. `accepts`, when given, is asked about each header as soon as it is whole
 * (before its payload, which a wrong header's length may put far away): on false the reader
 * stops, and ignores everything after.
 */
export class MessageReader {
  readonly #headerSize: number;
  readonly #onMessage: (header: Buffer, payload: Buffer) => void;
  readonly #accepts: ((seq: number, length: number) => boolean) | null;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #stopped = false;

  constructor(
    headerSize: number,
    onMessage: (header: Buffer, payload: Buffer) => void,
    accepts?: (seq: number, length: number) => boolean,
  ) {
    this.#headerSize = headerSize;
    this.#onMessage = onMessage;
    this.#accepts = accepts ?? null;
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  push(chunk: Buffer): void {
    if (this.#stopped) return;
    let data = chunk;
    const size = this.#headerSize;
    if (this.#pendingBytes > 0) {
      const before = this.#pendingBytes;
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      // Join the pieces only once the message they begin is complete: no copying per chunk.
      if (this.#pendingBytes < this.#needed()) {
        // A header made whole by this chunk is checked now, its payload still to come.
        if (before < size && this.#pendingBytes >= size && !this.#accepted(this.#head(), 0)) {
          this.#stop();
        }
        return;
      }
      data = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    let pos = 0;
    while (data.length - pos >= size) {
      if (!this.#accepted(data, pos)) {
        this.#stop();
        return;
      }
      const length = data.readUInt32BE(pos + 4);
      if (data.length - pos - size < length) break;
      this.#onMessage(
        data.subarray(pos, pos + size),
        data.subarray(pos + size, pos + size + length),
      );
      pos += size + length;
    }
    if (pos < data.length) {
      this.#pending.push(data.subarray(pos));
      this.#pendingBytes = data.length - pos;
    }
  }

  /** Stops reading: what is pending, and all that comes, is dropped. */
  #stop(): void {
    this.#stopped = true;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  #accepted(data: Buffer, pos: number): boolean {
    return (
      this.#accepts === null || this.#accepts(data.readUInt32BE(pos), data.readUInt32BE(pos + 4))
    );
  }

  /** The first pending message's header, or more: only once the header is whole. */
  #head(): Buffer {
    const size = this.#headerSize;
    return this.#pending[0]!.length >= size ? this.#pending[0]! : Buffer.concat(this.#pending);
  }

  /** The size of the first pending message, or of its header while that is incomplete. */
  #needed(): number {
    const size = this.#headerSize;
    if (this.#pendingBytes < size) return size;
    return size + this.#head().readUInt32BE(4);
  }
}
