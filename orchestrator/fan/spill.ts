import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmdirSync,
  unlinkSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError, ExitCode, ManifoldError } from '../../filters/index.js';

/** Each record in a spill file: its length and its worker's slot, then its bytes. */
const HEADER = 8;
/** Records are written in batches of about this many bytes. */
const WRITE_BATCH = 1024 * 1024;
/** At most this many records a write (a header and a record each: within IOV_MAX). */
const BATCH_RECORDS = 512;
/** How much of a spill file is read at a time (more when one record is larger). */
const READ_CHUNK = 64 * 1024;

/** A record as the merge moves it: its bytes and the slot of the worker that wrote it. */
export interface Entry {
  record: Buffer;
  slot: number;
}

/**
 * A temporary file holding records of a sorted merge past its memory bound, as `sort` spills.
 * It is created in $TMPDIR in a fresh folder of an unpredictable name, exclusively, and unlinked
 * (with its folder) at once: only the descriptor keeps it, so it is gone on every way out,
 * SIGKILL included, and nothing can be planted at its name.
 */
export class SpillFile {
  readonly #fd: number;
  #size = 0;
  #closed = false;

  constructor() {
    try {
      const dir = mkdtempSync(join(tmpdir(), 'manifold-merge-'));
      const path = join(dir, 'run');
      this.#fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
      rmdirSync(dir);
    } catch (error) {
      throw spillError(error);
    }
  }

  get size(): number {
    return this.#size;
  }

  /** Appends entries at the end of the file. */
  append(entries: Iterable<Entry>): void {
    let batch: Buffer[] = [];
    let headers = Buffer.allocUnsafe(HEADER * BATCH_RECORDS);
    let bytes = 0;
    for (const { record, slot } of entries) {
      const at = batch.length * 4;
      headers.writeUInt32LE(record.length, at);
      headers.writeUInt32LE(slot, at + 4);
      batch.push(headers.subarray(at, at + HEADER), record);
      bytes += HEADER + record.length;
      if (bytes >= WRITE_BATCH || batch.length === 2 * BATCH_RECORDS) {
        this.#write(batch, bytes);
        batch = [];
        headers = Buffer.allocUnsafe(HEADER * BATCH_RECORDS);
        bytes = 0;
      }
    }
    if (bytes > 0) this.#write(batch, bytes);
  }

  /** Reads the whole entries from `offset` on, about a chunk of them; returns the new offset. */
  read(offset: number, out: Entry[]): number {
    if (offset >= this.#size) return offset;
    let length = Math.min(READ_CHUNK, this.#size - offset);
    let chunk = this.#readAt(offset, length);
    const first = HEADER + chunk.readUInt32LE(0);
    if (first > length) {
      // One record larger than a chunk: read it whole.
      length = first;
      chunk = this.#readAt(offset, length);
    }
    let at = 0;
    while (at + HEADER <= chunk.length) {
      const end = at + HEADER + chunk.readUInt32LE(at);
      if (end > chunk.length) break;
      out.push({ record: chunk.subarray(at + HEADER, end), slot: chunk.readUInt32LE(at + 4) });
      at = end;
    }
    return offset + at;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }

  #write(batch: Buffer[], bytes: number): void {
    try {
      let done = writevSync(this.#fd, batch, this.#size);
      if (done < bytes) {
        // A short write (rare for files): the rest as one Buffer.
        const whole = Buffer.concat(batch, bytes);
        while (done < bytes) {
          done += writeSync(this.#fd, whole, done, bytes - done, this.#size + done);
        }
      }
    } catch (error) {
      throw spillError(error);
    }
    this.#size += bytes;
  }

  #readAt(offset: number, length: number): Buffer {
    const chunk = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.#fd, chunk, done, length - done, offset + done);
      if (n === 0) throw spillError(new Error('the file ended early'));
      done += n;
    }
    return chunk;
  }
}

function spillError(error: unknown): ManifoldError {
  return new ManifoldError(
    'manifold.io',
    `cannot spill the sorted merge to a temporary file in ${tmpdir()} (set TMPDIR, or raise --merge-memory): ${describeError(error)}`,
    { exitCode: ExitCode.failure, cause: error },
  );
}
