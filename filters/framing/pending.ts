import { joinPieces } from './view.js';

/** The bytes of a record that has begun but not yet ended, kept as the pieces read. */
export class Pending {
  pieces: Buffer[] = [];
  length = 0;

  add(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.length += piece.length;
  }

  /** Whether a piece kept is a view of `memory` (which must then not be read into again). */
  holds(memory: ArrayBufferLike): boolean {
    return this.pieces.some((piece) => piece.buffer === memory);
  }

  /** The pending bytes followed by `head`, as one Buffer; empties the pending list. */
  take(head?: Buffer): Buffer {
    if (head && head.length > 0) this.add(head);
    const record =
      this.pieces.length === 0 ? Buffer.alloc(0) : joinPieces(this.pieces, this.length);
    this.pieces = [];
    this.length = 0;
    return record;
  }
}
