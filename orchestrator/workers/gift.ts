import { TO_WORKER_HEADER } from '../../filters/protocol.js';

/**
 * Memory its owner gives away with the bytes it holds: a block read from a file into a buffer of
 * its own, with room before the bytes for a block header. A transport that moves whole
 * ArrayBuffers (threads) can then send the block itself, header written into that room, instead
 * of a copy; the owner never reads a giftable buffer again once it was sent (it reads the block
 * anew from the file for a retry: `Block.reread`).
 */
const giftable = new WeakSet<ArrayBuffer>();
/** Given away, and perhaps coming back (`takeBack`) once the taker holds nothing of it. */
const given = new WeakSet<ArrayBuffer>();
/** Memory given away and come back, to read the next blocks into: fresh memory page-faults. */
const spares: ArrayBuffer[] = [];
const KEPT = 8;

/** The room kept before the bytes: a block header of the manifold protocol. */
export const GIFT_ROOM = TO_WORKER_HEADER;

/** A buffer of `size` bytes after GIFT_ROOM bytes of room, which may be given away once sent. */
export function giftableBuffer(size: number): Buffer {
  const index = spares.findIndex((spare) => spare.byteLength >= GIFT_ROOM + size);
  const memory =
    index >= 0
      ? spares.splice(index, 1)[0]!
      : (Buffer.allocUnsafeSlow(GIFT_ROOM + size).buffer as ArrayBuffer);
  giftable.add(memory);
  return Buffer.from(memory, GIFT_ROOM, size);
}

/**
 * Memory a transport got back from its taker (a thread's returned input, or output once written):
 * true if it was a gift, now kept to read blocks into again; false, and the caller keeps it.
 */
export function takeBack(memory: ArrayBuffer): boolean {
  if (!given.has(memory)) return false;
  given.delete(memory);
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
  given.add(memory);
  header.copy(Buffer.from(memory, 0, GIFT_ROOM));
  return memory;
}
