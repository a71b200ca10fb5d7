import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { blockHeader } from '../../filters/protocol.js';
import { GIFT_ROOM, giftableBuffer, takeBack, takeGift } from '../../orchestrator/workers/gift.js';

// A block read into giftable memory moves to a thread whole, and the memory that comes back
// (a new ArrayBuffer object after a transfer there and back) is read into again, not dropped.

/** `memory` transferred over a real port and back, as a thread's block and output are. */
async function roundTrip(memory: ArrayBuffer): Promise<ArrayBuffer> {
  const there = new MessageChannel();
  const back = new MessageChannel();
  there.port2.once('message', (received: ArrayBuffer) =>
    back.port1.postMessage(received, [received]),
  );
  const returned = new Promise<ArrayBuffer>((resolve) => back.port2.once('message', resolve));
  there.port1.postMessage(memory, [memory]);
  const memoryBack = await returned;
  for (const port of [there.port1, there.port2, back.port1, back.port2]) port.close();
  return memoryBack;
}

describe('gifts of block memory', () => {
  it('come back from a transfer there and back, and carry the next block', async () => {
    const block = giftableBuffer(4096);
    block.fill(0x61);
    const memory = takeGift(blockHeader(0, block.length, 1), block);
    expect(memory).not.toBeNull();
    expect(memory!.byteLength).toBe(GIFT_ROOM + 4096);
    const returned = await roundTrip(memory!);
    expect(returned).not.toBe(memory);
    expect(Buffer.from(returned, GIFT_ROOM, 4).toString()).toBe('aaaa');
    // A piece smaller than a gift (a thread's output in pieces of its own) is not kept.
    expect(takeBack(new ArrayBuffer(100))).toBe(false);
    expect(takeBack(returned)).toBe(true);
    // Nothing more is out: what comes back now is the caller's.
    expect(takeBack(new ArrayBuffer(GIFT_ROOM + 4096))).toBe(false);
    const next = giftableBuffer(4096);
    expect(next.buffer).toBe(returned);
    expect(next.byteOffset).toBe(GIFT_ROOM);
  });

  it('are given only with a header that fits the room before the bytes', () => {
    const block = giftableBuffer(64);
    expect(takeGift(Buffer.alloc(GIFT_ROOM + 1), block)).toBeNull();
    expect(takeGift(blockHeader(1, 64, 1), Buffer.alloc(64))).toBeNull();
    expect(takeGift(blockHeader(1, 64, 1), block)).not.toBeNull();
    // Given once: the same memory is not given twice.
    expect(takeGift(blockHeader(1, 64, 1), block)).toBeNull();
  });

  it('a larger spare given once leaves gift-sized memory still kept when it comes back', () => {
    const block = giftableBuffer(4096);
    expect(takeGift(blockHeader(2, 4096, 1), block)).not.toBeNull();
    // A thread's first output memory, larger than a gift, comes back and is read into next.
    const large = new ArrayBuffer(GIFT_ROOM + 64 * 1024);
    expect(takeBack(large)).toBe(true);
    const next = giftableBuffer(4096);
    expect(next.buffer).toBe(large);
    expect(takeGift(blockHeader(3, 4096, 1), next)).not.toBeNull();
    // The blocks' own memory back, the size asked for: kept, not left to the collector (it was,
    // when the size kept was the larger spare's: each block then read into fresh memory).
    expect(takeBack(new ArrayBuffer(GIFT_ROOM + 4096))).toBe(true);
  });
});
