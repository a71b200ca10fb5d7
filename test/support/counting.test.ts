import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countedLines, holdsEachOnce } from './counting.js';

// The suite's numbered inputs are made by stepping digits in place; what they make is checked
// against the plain way, one string a line, across carries (9 to 10, 999 to 1000) and widths.

const plain = (from: number, to: number, prefix: string, width: number) =>
  Array.from(
    { length: Math.max(0, to - from + 1) },
    (_, i) => `${prefix}${String(from + i).padStart(width, '0')}\n`,
  ).join('');

describe('countedLines', () => {
  it('writes what one string a line writes', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(2000), fc.integer({ min: 99_990, max: 1_000_010 })),
        fc.nat(1200),
        fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\t', '-'), maxLength: 3 }),
        fc.integer({ min: 1, max: 16 }),
        (from, span, prefix, width) => {
          const to = from + span - 1;
          expect(countedLines(from, to, prefix, width)).toBe(plain(from, to, prefix, width));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('carries across a power of ten and past a width', () => {
    expect(countedLines(8, 11)).toBe('8\n9\n10\n11\n');
    expect(countedLines(998, 1001, 'x', 3)).toBe('x998\nx999\nx1000\nx1001\n');
    expect(countedLines(5, 4)).toBe('');
  });

  it('holdsEachOnce: every line once in any order, and nothing else', () => {
    const lines = countedLines(1, 200, '', 4).match(/.{5}/gs)!;
    const shuffled = Buffer.from([...lines].reverse().join(''));
    expect(holdsEachOnce(shuffled, 1, 200, 4)).toBe(true);
    const twice = Buffer.from(lines.slice(0, 199).join('') + lines[0]);
    expect(holdsEachOnce(twice, 1, 200, 4)).toBe(false);
    expect(holdsEachOnce(Buffer.from(lines.slice(1).join('')), 1, 200, 4)).toBe(false);
    expect(holdsEachOnce(Buffer.from(lines.join('').replace('0007', '0x07')), 1, 200, 4)).toBe(
      false,
    );
    expect(holdsEachOnce(Buffer.from(lines.join('').replace('0200', '0201')), 1, 200, 4)).toBe(
      false,
    );
  });
});
