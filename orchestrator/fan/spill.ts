import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyBytes } from '../../filters/framing/view.js';
import { describeError, ExitCode, ManifoldError } from '../../filters/index.js';
import type { NameOf } from '../options/fan.js';
import { reasonInWords } from '../options/inputs.js';
import { spell } from './spelling.js';

/**
 * Each record in a spill file: its length and its worker's slot (32 bits each), where its run
 * comes in the input (a double: ties among runs merged into one file keep their order), then its
 * bytes.
 */
export const HEADER = 16;
/** Records are copied into a batch of this many bytes, written when full. */
const WRITE_BATCH = 1024 * 1024;
/** How much of a spill file is read at a time (more when one record is larger). */
const READ_CHUNK = 64 * 1024;

/**
 * A temporary file holding records of a sorted merge past its memory bound, as `sort` spills.
 * It is created in $TMPDIR in a fresh folder of an unpredictable name, exclusively, and unlinked
 * (with its folder) at once: only the descriptor keeps it, so it is gone on every way out,
 * SIGKILL included, and nothing can be planted at its name.
 *
 * Records are added one at a time, each copied with its header into a batch of a megabyte, and
 * written a batch at a time: no object per record, and one write call for thousands of them.
 */
export class SpillFile {
  readonly #fd: number;
  #size = 0;
  #closed = false;
  #batch: Buffer | null = null;
  #at = 0;

  readonly #remedy: string;
  /** The folder it was made in (--tmpdir, else $TMPDIR), for messages. */
  readonly #folder: string;

  /** `remedy`: what a failure's message says to do (`spillRemedy`). */
  constructor(remedy = SPILL_REMEDY, folder = tmpdir()) {
    this.#remedy = remedy;
    this.#folder = folder;
    try {
      const dir = mkdtempSync(join(folder, 'manifold-merge-'));
      const path = join(dir, 'run');
      this.#fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
      rmdirSync(dir);
    } catch (error) {
      throw spillError(error, folder, this.#remedy);
    }
  }

  /** The bytes written; records added since the last `flush` are not in it yet. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds `bytes[start, end)`, a record of the worker in `slot`, of a run that comes at `order`.
   * Written by `flush` at the latest.
   */
  add(bytes: Uint8Array, start: number, end: number, slot: number, order: number): void {
    const length = end - start;
    if (this.#at + HEADER + length > WRITE_BATCH) this.#writeBatch();
    this.#batch ??= Buffer.allocUnsafeSlow(WRITE_BATCH);
    const batch = this.#batch;
    batch.writeUInt32LE(length, this.#at);
    batch.writeUInt32LE(slot, this.#at + 4);
    batch.writeDoubleLE(order, this.#at + 8);
    this.#at += HEADER;
    if (this.#at + length > WRITE_BATCH) {
      // A record larger than a batch: its header, then itself.
      this.#writeBatch();
      this.#write(bytes.subarray(start, end));
      return;
    }
    copyBytes(batch, this.#at, bytes, start, end);
    this.#at += length;
  }

  /** Writes the records added: the file holds them all after this. */
  flush(): void {
    this.#writeBatch();
    // A file waits for the final merge with nothing more to add, mostly: its batch goes.
    this.#batch = null;
  }

  /**
   * Reads about a chunk of whole entries from `offset` on (one larger record whole): a header
   * and a record each, one after the other. Empty at the end of the file.
   */
  read(offset: number): Buffer {
    if (offset >= this.#size) return Buffer.alloc(0);
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
      at = end;
    }
    return chunk.subarray(0, at);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#batch = null;
    closeSync(this.#fd);
  }

  #writeBatch(): void {
    if (this.#at === 0) return;
    this.#write(this.#batch!.subarray(0, this.#at));
    this.#at = 0;
  }

  #write(bytes: Uint8Array): void {
    try {
      let done = 0;
      while (done < bytes.length) {
        done += writeSync(this.#fd, bytes, done, bytes.length - done, this.#size + done);
      }
    } catch (error) {
      throw spillError(error, this.#folder, this.#remedy);
    }
    this.#size += bytes.length;
  }

  #readAt(offset: number, length: number): Buffer {
    const chunk = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.#fd, chunk, done, length - done, offset + done);
      if (n === 0) throw spillError(new Error('the file ended early'), this.#folder, this.#remedy);
      done += n;
    }
    return chunk;
  }
}

/**
 * One line, as manifold's other I/O errors: the folder, the system's reason in words with its
 * code (`no space left on device (ENOSPC)`), and what to do. Node's own text (`Error: ENOSPC: no
 * space left on device, write`) was said before.
 */
function spillError(error: unknown, folder: string, remedy: string): ManifoldError {
  const reason = error instanceof Error ? reasonInWords(error) : describeError(error);
  return new ManifoldError(
    'manifold.io',
    `cannot spill the sorted merge to a temporary file in ${folder}: ${reason}; ${remedy}`,
    { exitCode: ExitCode.failure, cause: error },
  );
}

/** What a spill's failure says to do when nothing else is known: --tmpdir not given. */
export const SPILL_REMEDY = 'set TMPDIR to another folder, or raise --merge-memory';

/**
 * What a spill's failure says to do, as the fan's messages spell its options: the folder that
 * was given for temporary files (`--tmpdir`, a config's `tmpdir`), or else TMPDIR, and the
 * bound that made it spill (`--merge-memory`).
 */
export function spillRemedy(options: { tmpdir?: string | undefined; optionName?: NameOf }): string {
  const folder = options.tmpdir === undefined ? 'TMPDIR' : spell(options, 'tmpdir');
  return `set ${folder} to another folder, or raise ${spell(options, 'mergeMemory')}`;
}
