import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../orchestrator/fan/dispatch.js';
import type { FanOptions } from '../../orchestrator/fan/options.js';
import type { Block } from '../../orchestrator/workers/block.js';
import { BlockQueue } from '../../orchestrator/workers/block-queue.js';
import type { Worker } from '../../orchestrator/workers/types.js';

// Blocks waiting for a worker, and a worker's blocks in flight, are taken from the front one at
// a time. An array's shift moves every element once the array is past ~16K entries (V8 cannot
// trim a large array at its front): `--block 16` queued ~65K blocks from one 1 MiB read, and
// taking them was quadratic (a 250,000-line pipe through `fan -j 2 --block 16 --merge ordered
// --one-to-one cat` took 7 s, 1.8 s after). Work, not time: the shifts of large arrays are counted.

const block = (seq: number, bytes = 16) => ({ seq, bytes }) as unknown as Block;

/** Counts calls of Array.prototype.shift on arrays past `over` elements while `run` runs. */
function largeShifts(over: number, run: () => void): number {
  const shift = Array.prototype.shift;
  let count = 0;
  Array.prototype.shift = function (this: unknown[]) {
    if (this.length > over) count++;
    return shift.call(this);
  };
  try {
    run();
  } finally {
    Array.prototype.shift = shift;
  }
  return count;
}

describe('BlockQueue', () => {
  it('gives its blocks back first in, first out, their bytes summed, across compactions', () => {
    const queue = new BlockQueue();
    for (let i = 0; i < 5000; i++) queue.push(block(i, i % 7));
    const taken: number[] = [];
    for (let i = 0; i < 3000; i++) taken.push(queue.shift()!.seq);
    for (let i = 5000; i < 6000; i++) queue.push(block(i, i % 7));
    expect(queue.length).toBe(3000);
    expect(queue.first?.seq).toBe(3000);
    let bytes = 0;
    for (let i = 3000; i < 6000; i++) bytes += i % 7;
    expect(queue.bytes).toBe(bytes);
    while (queue.length > 0) taken.push(queue.shift()!.seq);
    expect(taken).toEqual(Array.from({ length: 6000 }, (_, i) => i));
    expect(queue.shift()).toBeUndefined();
    expect(queue.bytes).toBe(0);
  });

  it('puts blocks back at the front in their order, takes one out of the middle, and empties', () => {
    const queue = new BlockQueue();
    const blocks = Array.from({ length: 10 }, (_, i) => block(i, 10));
    for (const each of blocks.slice(5)) queue.push(each);
    queue.unshift(blocks.slice(0, 5));
    expect(queue.toArray().map((b) => b.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    queue.remove(blocks[7]!);
    expect(queue.includes(blocks[7]!)).toBe(false);
    expect(queue.find(8)).toBe(blocks[8]);
    expect(queue.bytes).toBe(90);
    expect(queue.clear().map((b) => b.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9]);
    expect(queue.length).toBe(0);
    expect(queue.bytes).toBe(0);
  });

  it('takes 50,000 blocks without shifting a large array', () => {
    const queue = new BlockQueue();
    for (let i = 0; i < 50_000; i++) queue.push(block(i));
    expect(
      largeShifts(16_384, () => {
        while (queue.length > 0) queue.shift();
      }),
    ).toBe(0);
  });
});

describe('the dispatcher’s queue', () => {
  it('sends 50,000 waiting blocks in order without shifting a large array', () => {
    const sent: number[] = [];
    const worker = {
      slot: 1,
      backlog: 0,
      ready: false,
      ended: false,
      send: (b: Block) => sent.push(b.seq),
      end: () => {},
    } as unknown as Worker & { ready: boolean };
    const options = { dispatch: 'ready' } as FanOptions;
    const dispatcher = new Dispatcher(
      options,
      [worker],
      () => true,
      () => {},
    );
    for (let i = 0; i < 50_000; i++) dispatcher.add(block(i));
    expect(dispatcher.waiting).toBe(50_000);
    worker.ready = true;
    expect(largeShifts(16_384, () => dispatcher.pump())).toBe(0);
    expect(sent).toEqual(Array.from({ length: 50_000 }, (_, i) => i));
    expect(dispatcher.queuedBytes).toBe(0);
  });
});
