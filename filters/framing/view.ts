/**
 * Record views. `Buffer#subarray` goes through the typed-array species lookup, which costs more
 * than the rest of the per-record work together; a subclass of Uint8Array that shares Buffer's
 * prototype is what Node's own FastBuffer is, and building one directly is about twice as fast.
 * The views are real Buffers: `Buffer.isBuffer(view)` is true and every Buffer method works.
 */
class RecordView extends Uint8Array {}
Object.setPrototypeOf(RecordView.prototype, Buffer.prototype);

/** A Buffer over `length` bytes of `chunk` from `start`, sharing its memory. */
export function viewOf(chunk: Uint8Array, start: number, length: number): Buffer {
  return new RecordView(
    chunk.buffer as ArrayBuffer,
    chunk.byteOffset + start,
    length,
  ) as unknown as Buffer;
}

/** A Buffer over `length` bytes of `memory` from `offset`: for loops that hoist the lookups. */
export function viewAt(memory: ArrayBufferLike, offset: number, length: number): Buffer {
  return new RecordView(memory as ArrayBuffer, offset, length) as unknown as Buffer;
}

/** True when `b` starts in memory exactly where `a` ends. */
export function isContiguous(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset + a.length === b.byteOffset;
}

/** Joins pieces into one record, without copying when they already lie side by side. */
export function joinPieces(pieces: Uint8Array[], total: number): Buffer {
  const first = pieces[0]!;
  let contiguous = true;
  for (let i = 1; i < pieces.length && contiguous; i++) {
    contiguous = isContiguous(pieces[i - 1]!, pieces[i]!);
  }
  if (contiguous) return viewOf(first, 0, total);
  return Buffer.concat(pieces, total);
}

const setBytes = Uint8Array.prototype.set;
/** Up to this many bytes, a copy goes a byte at a time: cheaper than a view to copy from. */
const BYTE_COPY = 32;

/**
 * Copies `source[start, end)` into `target` at `at`: a short run a byte at a time, a longer one
 * through a plain Uint8Array view (`set` from a Buffer view costs twice as much).
 */
export function copyBytes(
  target: Uint8Array,
  at: number,
  source: Uint8Array,
  start: number,
  end: number,
): void {
  const length = end - start;
  if (length <= BYTE_COPY) {
    for (let i = 0; i < length; i++) target[at + i] = source[start + i]!;
  } else {
    setBytes.call(target, new Uint8Array(source.buffer, source.byteOffset + start, length), at);
  }
}
