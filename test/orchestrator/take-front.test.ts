import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeFront } from '../../orchestrator/fan/take-front.js';

// The one loop both splitters cut a block's bytes off their list of reads with.

/** Parts of random bytes, some of them empty, and a count of bytes to take up to their total. */
const partsAndCount = fc
  .array(fc.uint8Array({ maxLength: 12 }), { maxLength: 8 })
  .chain((arrays) => {
    const total = arrays.reduce((n, a) => n + a.length, 0);
    return fc.tuple(fc.constant(arrays), fc.nat(total));
  });

/** Whether `view` lies inside the memory of one of `parts`. */
const isViewOfOne = (view: Buffer, parts: Buffer[]) =>
  parts.some(
    (part) =>
      view.buffer === part.buffer &&
      view.byteOffset >= part.byteOffset &&
      view.byteOffset + view.length <= part.byteOffset + part.length,
  );

describe('takeFront', () => {
  it('takes exactly n bytes off the front, as views, leaving the rest (fast-check, seeded)', () => {
    fc.assert(
      fc.property(partsAndCount, ([arrays, n]) => {
        const original: Buffer[] = arrays.map((a) => Buffer.from(a));
        const all = Buffer.concat(original);
        const parts = [...original];
        const taken = takeFront(parts, n);
        expect(Buffer.concat(taken).equals(all.subarray(0, n))).toBe(true);
        expect(Buffer.concat(parts).equals(all.subarray(n))).toBe(true);
        for (const view of [...taken, ...parts]) expect(isViewOfOne(view, original)).toBe(true);
        // Parts taken whole are the originals themselves: all but a cut last one.
        const last = taken.at(-1);
        const cut = last !== undefined && !original.includes(last);
        expect((cut ? taken.slice(0, -1) : taken).every((part) => original.includes(part))).toBe(
          true,
        );
        // A part is cut only where n falls inside it, so what is left starts with a nonempty part.
        if (cut) expect(parts[0]!.length).toBeGreaterThan(0);
      }),
      { seed: 20261130, numRuns: 300 },
    );
  });

  it('takes nothing for 0 bytes, and everything for the total, leaving no empty view', () => {
    const parts = [Buffer.from('ab'), Buffer.from('cde')];
    expect(takeFront(parts, 0)).toEqual([]);
    expect(parts.map(String)).toEqual(['ab', 'cde']);
    expect(takeFront(parts, 3).map(String)).toEqual(['ab', 'c']);
    expect(parts.map(String)).toEqual(['de']);
    expect(takeFront(parts, 2).map(String)).toEqual(['de']);
    expect(parts).toEqual([]);
  });
  // The work done is counted, not timed: every write to the list (a part moved, or deleted off
  // its end) goes through a Proxy. A shift per part moved the rest of the list each time:
  // n(n-1)/2 writes, quadratic, and on a list in V8's large-object space as slow as it reads.
  it('moves each part at most once: 2,000 reads taken as one block', () => {
    const read = Buffer.alloc(1024, 'a');
    const n = 2000;
    const list: Buffer[] = Array.from({ length: n + 1 }, () => read);
    let writes = 0;
    const parts = new Proxy(list, {
      set(target, key, value) {
        writes++;
        return Reflect.set(target, key, value);
      },
      deleteProperty(target, key) {
        writes++;
        return Reflect.deleteProperty(target, key);
      },
    });
    const taken = takeFront(parts, n * 1024 + 100);
    expect(taken).toHaveLength(n + 1);
    expect(Buffer.concat(taken).length).toBe(n * 1024 + 100);
    expect(list.map((part) => part.length)).toEqual([924]);
    expect(writes).toBeLessThanOrEqual(3 * n);
  });
});
