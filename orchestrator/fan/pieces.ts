/** Pieces of this size: under malloc's mmap threshold (128 KiB), so freeing one is cheap. */
export const PIECE_SIZE = 64 * 1024;

/** Free pieces kept for reuse, per writer: enough for the blocks in flight to one worker. */
const KEPT = 64;

const setBytes = Uint8Array.prototype.set;

interface Piece {
  buffer: Buffer;
  /** Parts handed out with views of this piece and not released yet (or still being taken). */
  holders: number;
  /** Full: no more bytes go in, so once nobody holds it it may be written again. */
  full: boolean;
}

/** What `take` hands out: the views, their length, and what lets go of them. */
export interface Taken {
  views: Buffer[];
  bytes: number;
  /** Call once the views will never be read again: their pieces may then be reused. */
  release: () => void;
}

/**
 * Bytes copied in, handed out as views of a few pieces of 64 KiB. A piece is filled front to
 * back and never written twice while a view of it may be read. Why: a fresh buffer of a
 * megabyte costs its page faults on every block (0.3-1.1 ms per MiB measured on the bench's
 * virtual machine, 10-40× a copy into memory already touched), which was most of the cost of
 * cutting a block by key. Pieces whose parts were all released (a transport that has written
 * them, when nothing keeps a block for a retry) are written again; pieces of parts never
 * released are left to the garbage collector.
 */
export class PieceWriter {
  readonly #free: Buffer[] = [];
  #piece: Piece = this.#fresh();
  #used = 0;
  /** Where the bytes not yet taken start in the current piece. */
  #from = 0;
  #views: Buffer[] = [];
  #pieces: Piece[] = [];
  #bytes = 0;

  /**
   * Appends `length` bytes of `memory` from `offset`: by memory and offset, not a view, for a
   * caller that copies many runs out of one view and reads its `buffer` (a call into V8's
   * runtime) once.
   */
  copy(memory: ArrayBuffer, offset: number, length: number): void {
    let at = offset;
    const to = offset + length;
    this.#bytes += length;
    while (at < to) {
      if (this.#used === PIECE_SIZE) this.#next();
      const n = Math.min(to - at, PIECE_SIZE - this.#used);
      // A plain Uint8Array view and TypedArray#set: half the cost of Buffer#copy, which checks
      // its arguments and makes the same view itself (runs here are a record or two long).
      setBytes.call(this.#piece.buffer, new Uint8Array(memory, at, n), this.#used);
      this.#used += n;
      at += n;
    }
  }

  /** The bytes written since the last take, as views, with how many and their release. */
  take(): Taken {
    this.#view();
    const pieces = this.#pieces;
    const taken: Taken = {
      views: this.#views,
      bytes: this.#bytes,
      release: () => {
        for (const piece of pieces.splice(0)) this.#let(piece);
      },
    };
    this.#views = [];
    this.#pieces = [];
    this.#bytes = 0;
    return taken;
  }

  /** The bytes of the current piece not yet in a view become one, held by the next take. */
  #view(): void {
    if (this.#used === this.#from) return;
    this.#views.push(this.#piece.buffer.subarray(this.#from, this.#used));
    this.#from = this.#used;
    if (this.#pieces.at(-1) !== this.#piece) {
      this.#piece.holders++;
      this.#pieces.push(this.#piece);
    }
  }

  #let(piece: Piece): void {
    if (--piece.holders === 0 && piece.full && this.#free.length < KEPT) {
      this.#free.push(piece.buffer);
    }
  }

  #next(): void {
    this.#view();
    this.#piece.full = true;
    if (this.#piece.holders === 0 && this.#free.length < KEPT) this.#free.push(this.#piece.buffer);
    this.#piece = this.#fresh();
    this.#used = 0;
    this.#from = 0;
  }

  #fresh(): Piece {
    const buffer = this.#free.pop() ?? Buffer.allocUnsafeSlow(PIECE_SIZE);
    return { buffer, holders: 0, full: false };
  }
}
