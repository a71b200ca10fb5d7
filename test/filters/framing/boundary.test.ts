import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBoundaryFinder } from '../../../filters/framing/boundary.js';
import { parseFraming } from '../../../filters/index.js';
import { cutsOf, piecesOf } from '../../support/cuts.js';

/** Record ends in `data`, delimiters found left to right without overlapping: the reference. */
function delimitedEnds(data: Buffer, delimiter: Buffer): number[] {
  const ends: number[] = [];
  for (let at = data.indexOf(delimiter); at >= 0; at = data.indexOf(delimiter, at)) {
    at += delimiter.length;
    ends.push(at);
  }
  return ends;
}

/** Ends found with `next`, and with `last` per piece, and midRecord after the last piece. */
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
    // Two ends at a time: each pair's end is a record end, and all are counted.
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
    mid: byNext.midRecord,
    midLast: byLast.midRecord,
    midAdvance: byAdvance.midRecord,
  };
}

function checkEveryCut(framing: string, data: Buffer, ends: number[]) {
  const total = data.length;
  for (const cuts of cutsOf(total, { bytewise: true })) {
    const pieces = piecesOf(data, cuts);
    const found = scan(framing, pieces);
    const where = `cuts ${cuts.join(',')}`;
    expect(found.ends, where).toEqual(ends);
    // `last` sees the last end within each piece.
    const lastPerPiece: number[] = [];
    let start = 0;
    for (const piece of pieces) {
      const inside = ends.filter((end) => end > start && end <= start + piece.length);
      if (inside.length > 0) lastPerPiece.push(inside.at(-1)!);
      start += piece.length;
    }
    expect(found.lasts, where).toEqual(lastPerPiece);
    const mid = total > (ends.at(-1) ?? 0);
    expect(found.mid, where).toBe(mid);
    expect(found.midLast, where).toBe(mid);
    expect(found.counted, where).toBe(ends.length);
    for (const end of found.paired) expect(ends, where).toContain(end);
    expect(found.midAdvance, where).toBe(mid);
  }
}

describe('delimiter boundaries, split across any number of reads', () => {
  const cases: [string, string, string][] = [
    ['delim:ABA', 'ABA', 'xxxxABABBABAtail'],
    ['delim:ABA', 'ABA', 'ABABABABA'],
    ['delim:ABA', 'ABA', 'AABAABABAAB'],
    ['delim:\\r\\n\\r\\n', '\r\n\r\n', 'a\r\n\r\n\r\nb\r\n\r\r\n\r\n\r\n\r\nc\r\n'],
    ['delim:AA', 'AA', 'xAAAyAAAAzA'],
    ['delim:AA', 'AA', 'AAAAAAA'],
    ['delim:AAB', 'AAB', 'AAAAABAAAB'],
    ['delim:--', '--', '-a---b----'],
    ['lines', '\n', 'a\nbc\n\n\nd'],
  ];
  for (const [framing, delimiter, text] of cases) {
    it(`${framing} in ${JSON.stringify(text)}`, () => {
      const data = Buffer.from(text, 'latin1');
      checkEveryCut(framing, data, delimitedEnds(data, Buffer.from(delimiter, 'latin1')));
    });
  }

  it('finds the two ABA of the example of issue 10 item 3 (xxxx, BABB, tail)', () => {
    const pieces = ['xxxxA', 'B', 'ABABB', 'ABAtail'].map((p) => Buffer.from(p));
    expect(scan('delim:ABA', pieces).ends).toEqual([7, 14]);
  });

  it('agrees with the reference on random bytes and random reads (fast-check, seeded)', () => {
    const delimiters = ['ABA', 'AA', 'ABAB', 'AAB', 'BAA', 'ABCAB', '\r\n\r\n', 'A', 'AAA'];
    fc.assert(
      fc.property(
        fc.constantFrom(...delimiters),
        fc.string({ unit: fc.constantFrom('A', 'B', 'C', '\r', '\n'), maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 8 }),
        (delimiter, text, rawCuts) => {
          const data = Buffer.from(text, 'latin1');
          const cuts = [...new Set(rawCuts.map((c) => c % (data.length + 1)))].sort(
            (a, b) => a - b,
          );
          const framing = `delim:${delimiter.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}`;
          const expected = delimitedEnds(data, Buffer.from(delimiter, 'latin1'));
          expect(scan(framing, piecesOf(data, cuts)).ends).toEqual(expected);
        },
      ),
      { seed: 20261130, numRuns: 2000 },
    );
  });
});

describe('fixed and frame boundaries', () => {
  it('fixed:4 ends every 4 bytes whatever the reads', () => {
    checkEveryCut('fixed:4', Buffer.from('abcdefghij'), [4, 8]);
  });

  it('frames end after their header and payload, headers split anywhere', () => {
    const frame = (text: string) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(text.length);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    const data = Buffer.concat([frame('ab'), frame(''), frame('cde'), frame('f').subarray(0, 3)]);
    checkEveryCut('frames', data, [6, 10, 17]);
  });

  it('raw: each read is a record', () => {
    expect(scan('raw', [Buffer.from('ab'), Buffer.from('c')]).ends).toEqual([2, 3]);
  });
});
