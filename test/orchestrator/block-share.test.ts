import { describe, expect, it } from 'vitest';
import { type Block, shareAmong } from '../../orchestrator/workers/block.js';

// A block given to every worker (--dispatch broadcast) lets its memory go once every worker has
// let it go, never at the first: `fan-dispatch.test.ts` shows the whole run's output.

function block(release?: () => void): Block {
  return {
    seq: 4,
    parts: [Buffer.from('a\nb\n')],
    bytes: 4,
    firstRecord: 0,
    records: -1,
    failures: 0,
    ...(release === undefined ? {} : { release }),
  };
}

describe('a block shared among workers', () => {
  it('is released once, after the last copy is, each copy counted once however often called', () => {
    let released = 0;
    const copies = shareAmong(
      block(() => released++),
      3,
    );
    expect(copies.map((copy) => copy.seq)).toEqual([4, 4, 4]);
    expect(new Set(copies).size).toBe(3);
    // A transport calls the function it took at send; the fan calls the copy's own when done.
    const taken = copies[0]!.release!;
    taken();
    taken();
    copies[0]!.release?.();
    copies[1]!.release!();
    expect(released).toBe(0);
    copies[2]!.release!();
    expect(released).toBe(1);
    copies[2]!.release?.();
    expect(released).toBe(1);
  });

  it('without a release (nothing to give back), or for one worker, is the block itself', () => {
    const plain = block();
    expect(shareAmong(plain, 3)).toEqual([plain, plain, plain]);
    expect(shareAmong(plain, 3)[1]).toBe(plain);
    const one = block(() => {});
    expect(shareAmong(one, 1)[0]).toBe(one);
  });
});
