import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteName } from '../../../filters/errors.js';
import { createBoundaryFinder } from '../../../filters/framing/boundary.js';
import { RecordEncoder } from '../../../filters/framing/encoder.js';
import { createDecoder, parseFraming, RecordError, UsageError } from '../../../filters/index.js';
import { cutsOf, piecesOf } from '../../support/cuts.js';

// `lines:<n>`: records of n lines (FASTQ's 4), found by counting LFs from the input's start.

/** The reference: a record ends after every n-th LF. */
function lineEnds(data: Buffer, n: number): number[] {
  const ends: number[] = [];
  let seen = 0;
  for (let at = data.indexOf(10); at >= 0; at = data.indexOf(10, at + 1)) {
    if (++seen % n === 0) ends.push(at + 1);
  }
  return ends;
}

/** Ends found by `next`, `last` (per piece) and `advance` (two at a time), and midRecord. */
function scan(framing: string, pieces: Buffer[]) {
  const byNext = createBoundaryFinder(parseFraming(framing));
  const byLast = createBoundaryFinder(parseFraming(framing));
  const byAdvance = createBoundaryFinder(parseFraming(framing));
  const ends: number[] = [];
  const lasts: number[] = [];
  const paired: number[] = [];
  let counted = 0;
  let offset = 0;
  for (const piece of pieces) {
    for (let end = byNext.next(piece, 0); end >= 0; end = byNext.next(piece, end)) {
      ends.push(offset + end);
    }
    const last = byLast.last(piece, 0);
    if (last >= 0) lasts.push(offset + last);
    for (let pos = 0, found = 2; found === 2; ) {
      ({ found, end: pos } = byAdvance.advance(piece, pos, 2));
      counted += found;
      if (found === 2) paired.push(offset + pos);
    }
    offset += piece.length;
  }
  return {
    ends,
    lasts,
    paired,
    counted,
    mids: [byNext, byLast, byAdvance].map((f) => f.midRecord),
  };
}

function checkCuts(n: number, data: Buffer, cuts: number[]) {
  const ends = lineEnds(data, n);
  const pieces = piecesOf(data, cuts);
  const found = scan(`lines:${n}`, pieces);
  const where = `lines:${n} cuts ${cuts.join(',')}`;
  expect(found.ends, where).toEqual(ends);
  const lastPerPiece: number[] = [];
  let start = 0;
  for (const piece of pieces) {
    const inside = ends.filter((end) => end > start && end <= start + piece.length);
    if (inside.length > 0) lastPerPiece.push(inside.at(-1)!);
    start += piece.length;
  }
  expect(found.lasts, where).toEqual(lastPerPiece);
  expect(found.counted, where).toBe(ends.length);
  for (const end of found.paired) expect(ends, where).toContain(end);
  const mid = data.length > (ends.at(-1) ?? 0);
  expect(found.mids, where).toEqual([mid, mid, mid]);
}

const FASTQ = '@r1\nACGT\n+\nIIII\n@r2\nGG\n+\nII\n@r3\n\n+\n\n@r4\nT';

describe('lines:<n> boundaries, cut at every position and in 1-byte reads', () => {
  const cases: [number, string][] = [
    [4, FASTQ],
    [4, `${FASTQ}\n`],
    [2, '\n\n\n\n\n'],
    [3, 'a\nb\nc\nd\ne\nf\n'],
    [4, 'no newline at all'],
  ];
  for (const [n, text] of cases) {
    it(`lines:${n} in ${JSON.stringify(text)}`, () => {
      const data = Buffer.from(text, 'latin1');
      for (const cuts of cutsOf(data.length, { bytewise: true })) checkCuts(n, data, cuts);
    });
  }

  it('agrees with the reference on long inputs in random reads, past the many-at-a-time count (fast-check, seeded)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.string({ unit: fc.constantFrom('A', 'C', '\n'), minLength: 0, maxLength: 5000 }),
        fc.array(fc.nat(5000), { maxLength: 6 }),
        (n, text, rawCuts) => {
          const data = Buffer.from(text, 'latin1');
          const cuts = [...new Set(rawCuts.map((c) => c % (data.length + 1)))].sort(
            (a, b) => a - b,
          );
          checkCuts(n, data, cuts);
        },
      ),
      { seed: 20261205, numRuns: 300 },
    );
  });
});

/** Decodes `input` pushed as the pieces cut at `cuts`. */
function decode(framing: string, input: Buffer, cuts: number[], maxRecord?: number): string[] {
  const decoder = createDecoder(parseFraming(framing), { maxRecord });
  const records: Buffer[] = [];
  for (const piece of piecesOf(input, cuts)) decoder.push(piece, records);
  decoder.end(records);
  expect(decoder.count).toBe(records.length);
  return records.map((record) => Buffer.from(record).toString('latin1'));
}

describe('lines:<n> records in the SDK', () => {
  const reads = ['@r1\nACGT\n+\nIIII', '@r2\nGG\n+\nII', '@r3\n\n+\n'];

  it('gives each record as its n lines without the last LF, at every cut', () => {
    const input = Buffer.from(`${reads.join('\n')}\n`, 'latin1');
    for (const cuts of cutsOf(input.length, { threeUpTo: 30, bytewise: true })) {
      expect(decode('lines:4', input, cuts), `cuts ${cuts}`).toEqual(reads);
    }
  });

  it('keeps a short final record (fewer lines, its last LF or not) as a record', () => {
    for (const tail of ['@r4\nTT', '@r4\nTT\n', '@r4']) {
      const input = Buffer.from(`${reads.join('\n')}\n${tail}`, 'latin1');
      for (const cuts of cutsOf(input.length, { threeUpTo: 0, bytewise: true })) {
        expect(decode('lines:4', input, cuts), `${tail} cuts ${cuts}`).toEqual([
          ...reads,
          tail.replace(/\n$/, ''),
        ]);
      }
    }
  });

  it('refuses a record over --max-record, naming it, where it ends and where it is held', () => {
    const input = Buffer.from('a\nb\ncccccccccc\nd\ne\n', 'latin1');
    for (const cuts of [[], [3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]) {
      let error: unknown;
      try {
        decode('lines:2', input, cuts, 8);
      } catch (caught) {
        error = caught;
      }
      expect(error, `cuts ${cuts}`).toBeInstanceOf(RecordError);
      expect((error as Error).message, `cuts ${cuts}`).toMatch(/^stdin:2: /);
    }
  });

  it('writes each record with its LF after it, bytes and text alike, and reads it back', () => {
    const encoder = new RecordEncoder(parseFraming('lines:4'));
    encoder.add(Buffer.from(reads[0]!));
    encoder.add(reads[1]!);
    encoder.addStrings([reads[2]!]);
    const written = Buffer.concat(encoder.take());
    expect(written.toString('latin1')).toBe(`${reads.join('\n')}\n`);
    expect(decode('lines:4', written, [])).toEqual(reads);
  });

  it('gives the input bytes of unchanged records back as one slice', () => {
    const input = Buffer.from(`${reads.join('\n')}\n`, 'latin1');
    const decoder = createDecoder(parseFraming('lines:4'));
    const records: Buffer[] = [];
    decoder.push(input, records);
    const span = decoder.encoded(records[decoder.spanStart]!, records.at(-1)!);
    expect(span.toString('latin1')).toBe(input.toString('latin1'));
  });
});

describe('parsing lines:<n>', () => {
  it('takes lines:1 as lines, and a whole number of lines', () => {
    expect(parseFraming('lines:1')).toEqual(parseFraming('lines'));
    expect(parseFraming('lines:4')).toEqual({ kind: 'multiline', name: 'lines:4', lines: 4 });
    expect(parseFraming('lines:0004').name).toBe('lines:4');
  });

  for (const bad of ['lines:0', 'lines:', 'lines:x', 'lines:1.5', 'lines:-4', 'lines:2147483648']) {
    it(`refuses ${bad} in one line naming it`, () => {
      expect(() => parseFraming(bad, '--split')).toThrow(UsageError);
      expect(() => parseFraming(bad, '--split')).toThrow(
        `--split ${quoteName(bad)}: the number of lines a record has must be a whole number from 1 to 2147483647`,
      );
    });
  }
});
