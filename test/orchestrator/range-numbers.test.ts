import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFraming } from '../../filters/index.js';
import { rangeCut } from '../../orchestrator/fan/range-cut.js';
import { RangeNumbers } from '../../orchestrator/fan/range-numbers.js';
import { SEED } from '../support/property.js';
import { fileTempDir } from '../support/temp.js';

// Record numbers of a file's ranges worked out for a message (orchestrator/fan/range-numbers.ts),
// against a plain count: delimiters of one and several bytes cut by the pieces the file is read
// in (made a few bytes here), ranges asked for in any order (each count starts from a place
// counted before), a last record without its delimiter, and a file read from an offset (stdin
// left there by whoever ran manifold).

/** The ends of the records of `data` (just past each delimiter), found left to right. */
function recordEnds(data: Buffer, delimiter: Buffer): number[] {
  const ends: number[] = [];
  for (
    let at = data.indexOf(delimiter);
    at >= 0;
    at = data.indexOf(delimiter, at + delimiter.length)
  ) {
    ends.push(at + delimiter.length);
  }
  return ends;
}

const FRAMINGS = ['lines', 'delim:;|', 'delim:ab', 'nul', 'fixed:3'] as const;

describe('RangeNumbers', () => {
  it('numbers any range cut at record ends as counting the file up to it does', () => {
    const dir = fileTempDir('manifold-range-numbers-');
    const bytes = fc.constantFrom(0x0a, 0x3b, 0x61, 0x62, 0x00, 0xff);
    fc.assert(
      fc.property(
        fc.constantFrom(...FRAMINGS),
        fc.array(bytes, { maxLength: 300 }),
        fc.integer({ min: 3, max: 9 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (framing, body, piece, start, cuts, order) => {
          const data = Buffer.from(body);
          const cut = rangeCut(parseFraming(framing))!;
          const ends =
            cut.kind === 'fixed'
              ? Array.from(
                  { length: Math.floor(data.length / cut.size) },
                  (_, i) => (i + 1) * cut.size,
                )
              : recordEnds(data, cut.delimiter);
          // Ranges from record ends, the last to the file's end.
          const places = [
            ...new Set([0, ...cuts.map((n) => ends[n % (ends.length || 1)] ?? 0), data.length]),
          ]
            .filter((place) => place <= data.length)
            .sort((a, b) => a - b);
          const file = join(dir, 'input');
          writeFileSync(file, Buffer.concat([Buffer.alloc(start, 0x3b), data]));
          const fd = openSync(file, 'r');
          try {
            const numbers = new RangeNumbers({ fd, name: file, start, owned: false }, cut, piece);
            const ranges = places.slice(0, -1).map((at, i) => ({ at, to: places[i + 1]! }));
            // Asked for in an order drawn too: each count starts from the nearest place before.
            const key = (i: number) => order[i % Math.max(1, order.length)] ?? 0;
            const asked = ranges.map((_, i) => i).sort((x, y) => key(x) - key(y));
            for (const i of asked) {
              const { at, to } = ranges[i]!;
              const last = to === data.length;
              const before = ends.filter((end) => end <= at).length;
              const inside = ends.filter((end) => end > at && end <= to).length;
              const open = last && to > (ends.at(-1) ?? 0) ? 1 : 0;
              expect(numbers.numbers(at, to - at, last)).toEqual({
                firstRecord: before + 1,
                records: inside + open,
              });
            }
          } finally {
            closeSync(fd);
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('names nothing once its descriptor is another file', () => {
    const dir = fileTempDir('manifold-range-numbers-');
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    writeFileSync(a, 'x\ny\n');
    writeFileSync(b, 'x\ny\n');
    const fd = openSync(a, 'r');
    const numbers = new RangeNumbers(
      { fd, name: a, start: 0, owned: true },
      rangeCut(parseFraming('lines'))!,
    );
    expect(numbers.numbers(2, 2, true)).toEqual({ firstRecord: 2, records: 1 });
    closeSync(fd);
    const again = openSync(b, 'r');
    try {
      // The same descriptor number, most likely; whatever it is, it is not the file counted.
      expect(numbers.numbers(0, 2, false)).toBeNull();
    } finally {
      closeSync(again);
    }
  });
});
