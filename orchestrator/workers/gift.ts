import { TO_WORKER_HEADER } from '../../filters/protocol.js';

/**
 * Memory its owner gives away with the bytes it holds: a block read from a file into a buffer of
 * its own, with room before the bytes for a block header. A transport that moves whole
 * ArrayBuffers (threads) can then send the block itself, header written into that room, instead
 * of a copy; the owner never reads a giftable buffer again once it was sent (it reads the block
 * anew from the file for a retry: `Block.reread`).
 */
const giftable = new WeakSet<ArrayBuffer>();
/**
 * Gifts given away and not yet come back (`takeBack`). Counted, not remembered: memory that
 * went to a thread and back is a new ArrayBuffer object there and again here, so no set of the
 * objects given away ever holds what returns (every block took fresh memory: 96 fresh MiB on
 * 100 MB, each page faulted in by the read).
 */
let out = 0;
/**
 * The size of the last gift asked for (its room and bytes): smaller memory back (a thread's
 * output pieces) is not kept. Asked for, not given: a larger spare given once (a thread's first
 * output memory, come back) must not make every gift-sized buffer after it too small to keep.
 */
let giftSize = 0;
/** Memory given away and come back, to read the next blocks into: fresh memory page-faults. */
const spares: ArrayBuffer[] = [];
const KEPT = 8;

/** The room kept before the bytes: a block header of the manifold protocol. */
export const GIFT_ROOM = TO_WORKER_HEADER;

/** A buffer of `size` bytes after GIFT_ROOM bytes of room, which may be given away once sent. */
export function giftableBuffer(size: number): Buffer {
  giftSize = GIFT_ROOM + size;
  const index = spares.findIndex((spare) => spare.byteLength >= GIFT_ROOM + size);
  const memory =
    index >= 0
      ? spares.splice(index, 1)[0]!
      : (Buffer.allocUnsafeSlow(GIFT_ROOM + size).buffer as ArrayBuffer);
  giftable.add(memory);
  return Buffer.from(memory, GIFT_ROOM, size);
}

/**
 * Memory a transport got back from its taker (a thread's returned input, or output once
 * written), whole and held by nothing else: true while gifts are out and it is as large as one,
 * now kept to read blocks into again; false, and the caller keeps it.
 */
export function takeBack(memory: ArrayBuffer): boolean {
  if (out === 0 || memory.byteLength < giftSize) return false;
  out--;
  if (spares.length < KEPT) spares.push(memory);
  return true;
}

/**
 * The ArrayBuffer to send as `header` then `body`, when `body` is a giftable buffer's bytes and
 * `header` fits the room before them: the header is written there, and the buffer is the
 * caller's to move. Else null (copy them).
 */
export function takeGift(header: Buffer, body: Buffer): ArrayBuffer | null {
  const memory = body.buffer as ArrayBuffer;
  if (header.length !== GIFT_ROOM || body.byteOffset !== GIFT_ROOM || !giftable.has(memory)) {
    return null;
  }
  giftable.delete(memory);
  out++;
  header.copy(Buffer.from(memory, 0, GIFT_ROOM));
  return memory;
}
