import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceByNext } from '../../../filters/framing/advance.js';
import { countByte, nthByte } from '../../../filters/framing/byte-count.js';
import { DelimiterFinder } from '../../../filters/framing/delimiter-finder.js';

/** The reference: the `want`-th `byte` from `from`, one byte at a time. */
function naive(data: Buffer, from: number, byte: number, want: number): number {
  let found = 0;
  for (let i = from; i < data.length; i++) {
    if (data[i] === byte && ++found >= want) return i + 1;
  }
  return -1 - found;
}

/** Bytes of which about one in `every` is a newline, inside a larger buffer at `offset`. */
function bytes(length: number, every: number, seed: number, offset = 0): Buffer {
  const whole = Buffer.alloc(length + offset + 7, 0x0a);
  let state = seed || 1;
  for (let i = 0; i < whole.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    whole[i] = state % every === 0 ? 0x0a : 0x41 + (state % 26);
  }
  return whole.subarray(offset, offset + length);
}

describe('counting one-byte record ends', () => {
  it('finds the nth end as a byte-by-byte scan does, across the module steps and copies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600_000 }),
        fc.constantFrom(1, 2, 3, 64, 90, 5000),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 15 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 50_000 }),
        (length, every, seed, offset, fromShare, want) => {
          const data = bytes(length, every, seed, offset);
          const from = Math.floor(fromShare * length);
          expect(nthByte(data, from, 0x0a, want)).toBe(naive(data, from, 0x0a, want));
          expect(nthByte(data, from, 0x0a, Number.POSITIVE_INFINITY)).toBe(
            naive(data, from, 0x0a, Number.POSITIVE_INFINITY),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a line finder's advance agrees with next, its mid-record state included, over any reads", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300_000 }),
        fc.constantFrom(2, 90, 3000),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 4000 }), fc.constant(Infinity)), {
          minLength: 1,
          maxLength: 8,
        }),
        (length, every, seed, reads, wants) => {
          const data = bytes(length, every, seed);
          const fast = new DelimiterFinder(Buffer.from('\n'));
          const slow = new DelimiterFinder(Buffer.from('\n'));
          let turn = 0;
          for (let at = 0, r = 0; at < data.length; at += reads[r++ % reads.length]!) {
            const chunk = data.subarray(at, at + reads[r % reads.length]!);
            for (let pos = 0; ; ) {
              const want = wants[turn++ % wants.length]!;
              const got = fast.advance(chunk, pos, want);
              expect(got).toEqual(advanceByNext(slow, chunk, pos, want));
              expect(fast.midRecord).toBe(slow.midRecord);
              if (got.found < want) break;
              pos = got.end;
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('finds ends at every place within a step of 64 bytes, and the last byte of the data', () => {
    for (let length = 1000; length < 1300; length++) {
      const data = Buffer.alloc(length, 0x41);
      const ends = [...new Set([0, 63, 64, 127, 128, length - 65, length - 64, length - 1])];
      ends.sort((a, b) => a - b);
      for (const at of ends) data[at] = 0;
      for (const [i, at] of ends.entries()) expect(nthByte(data, 0, 0, i + 1)).toBe(at + 1);
      expect(countByte(data, 0)).toBe(ends.length);
      expect(countByte(data, 0x41)).toBe(length - ends.length);
    }
  });

  it('counts every byte value, 0 and 255 included', () => {
    const data = Buffer.alloc(256 * 40);
    for (let i = 0; i < data.length; i++) data[i] = i % 256;
    for (const byte of [0, 1, 127, 128, 254, 255]) expect(countByte(data, byte)).toBe(40);
  });

  it('counts a buffer of several megabytes, one end a line, exactly', () => {
    const data = bytes(5 * 1024 * 1024 + 3, 90, 7);
    expect(countByte(data, 0x0a)).toBe(naive(data, 0, 0x0a, Number.POSITIVE_INFINITY) * -1 - 1);
  });

  it('is byte-count.wat compiled (after editing it: node build-wasm.mjs)', async () => {
    const script = fileURLToPath(new URL('../../../build-wasm.mjs', import.meta.url));
    const run = await execa('node', [script, '--check'], { reject: false });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });
});
