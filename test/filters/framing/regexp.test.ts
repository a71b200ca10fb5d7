import { describe, expect, it } from 'vitest';
import { REGEXP_REACH, type RegexpFraming } from '../../../filters/framing/regexp.js';
import { RegexpFinder } from '../../../filters/framing/regexp-finder.js';
import { parseCutting } from '../../../filters/framing/spec.js';
import { createDecoder } from '../../../filters/index.js';

// Records cut by expressions (start-re:, delim-re:, between-re:): the same records however the
// input is split into reads, a cut sure only a reach past it, found again at the end. The reads
// are cut around a reach of 64 KiB (REACH) here, the finder's own (a MiB) too long to go through
// so many times; matches longer than 64 KiB are checked at the finder's own.

const REACH = 64 * 1024;

/** Where records end, with every cut in the whole input found by the expression's reference. */
function referenceEnds(data: Buffer, cut: RegExp, start: RegExp): number[] {
  const text = data.toString('latin1');
  const ends: number[] = [];
  start.lastIndex = 0;
  let from = start.exec(text)?.[0].length ?? 0;
  for (;;) {
    cut.lastIndex = from;
    const match = cut.exec(text);
    if (match === null) return ends;
    const end = match.index + match[0].length;
    ends.push(end);
    start.lastIndex = end;
    from = end + (start.exec(text)?.[0].length ?? 0);
  }
}

/** The records the decoder gives for `data` cut into reads at `cuts`. */
function decoded(framing: string, data: Buffer, cuts: number[]): string[] {
  const decoder = createDecoder(parseCutting(framing));
  const out: Buffer[] = [];
  let from = 0;
  for (const at of [...cuts, data.length]) {
    decoder.push(data.subarray(from, at), out);
    from = at;
  }
  decoder.end(out);
  // As text: comparing many long Buffers is slow.
  return out.map((record) => Buffer.from(record).toString('latin1'));
}

/**
 * Ends found by a finder's `next` (less its lookahead) and `finish`, for reads cut at `cuts`;
 * its reach `REACH`, or given.
 */
function finderEnds(framing: string, data: Buffer, cuts: number[], reach = REACH): number[] {
  const finder = new RegexpFinder(parseCutting(framing) as RegexpFraming, reach);
  const ends: number[] = [];
  let from = 0;
  for (const at of [...cuts, data.length]) {
    const piece = data.subarray(from, at);
    for (let end = finder.next(piece, 0); end >= 0; end = finder.next(piece, end)) {
      ends.push(from + end - finder.lookahead!);
    }
    from = at;
  }
  for (const back of finder.finish!()) ends.push(data.length - back);
  return ends;
}

/** Records of 1 to ~3 reaches, each `>n` then lines, some with '>' inside. */
function longInput(): Buffer {
  const parts: string[] = ['junk>\n'];
  for (let i = 0; i < 40; i++) {
    const size = i % 9 === 4 ? REACH * 2 + 17 : ((i * 7919) % 5000) + 1;
    parts.push(`>${i}\n${'AC>T\n'.repeat(Math.ceil(size / 5))}`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

describe('records cut by expressions', () => {
  const data = longInput();
  const framing = 'between-re:\\n|>[0-9]+\\n';
  const expected = referenceEnds(data, /\n(?=>[0-9]+\n)/g, />[0-9]+\n/y);

  it('the finder returns every end, late by its lookahead, however the reads are cut', () => {
    expect(expected.length).toBe(40);
    // Reads cut at each end and around it, around the reach past it, and around twice that.
    const around = expected.flatMap((end) =>
      [end, end + REACH, end + 2 * REACH].flatMap((at) => [at - 2, at - 1, at, at + 1]),
    );
    for (const at of around.filter((at, i) => at > 0 && at < data.length && i % 36 < 12)) {
      expect(finderEnds(framing, data, [at]), `cut at ${at}`).toEqual(expected);
    }
    const reads = (size: number) =>
      Array.from({ length: Math.floor((data.length - 1) / size) }, (_, i) => (i + 1) * size);
    for (const size of [1000, 4093, REACH - 1, REACH + 1, 3 * REACH]) {
      expect(finderEnds(framing, data, reads(size)), `reads of ${size}`).toEqual(expected);
    }
  });

  it('a match longer than 64 KiB is seen, at the start and at the end, however the reads are cut', () => {
    const reads = (data: Buffer, size: number) =>
      Array.from({ length: Math.floor((data.length - 1) / size) }, (_, i) => (i + 1) * size);
    const cases: [string, string, RegExp, RegExp][] = [
      [
        'between-re:\\n|>h\\d [xz]+\\n',
        `>h0 xz\nAC\n>h1 ${'x'.repeat(200_000)}\nACGT\n>h2 ${'z'.repeat(300_000)}\nGT\n>h3 xz\nTT\n`,
        /\n(?=>h\d [xz]+\n)/g,
        />h\d [xz]+\n/y,
      ],
      [
        'delim-re:(?<![^\\n])>[^\\n]*x\\n',
        `>h1 ${'y'.repeat(200_000)}x\nAC\n>h2 ${'y'.repeat(300_000)}x\nGT\n`,
        /(?<![^\n])>[^\n]*x\n/g,
        /(?:)/y,
      ],
    ];
    for (const [framing, text, cut, start] of cases) {
      const data = Buffer.from(text, 'latin1');
      const ends = referenceEnds(data, cut, start);
      expect(ends.length).toBeGreaterThan(1);
      for (const size of [1000, 4096, 65_536, 100_000]) {
        expect(
          finderEnds(framing, data, reads(data, size), REGEXP_REACH),
          `${framing}, reads of ${size}`,
        ).toEqual(ends);
      }
    }
  });

  it('the decoder gives the same records in one read or many', () => {
    const whole = decoded(framing, data, []);
    const bounds = [0, ...expected, data.length];
    expect(whole).toEqual(
      bounds.slice(1).map((end, i) => data.subarray(bounds[i], end).toString('latin1')),
    );
    expect(decoded(framing, data, [1, 77, 70_000, 70_001, 200_000, 400_000])).toEqual(whole);
  });

  it("Perl's /m: ^ and $ at any line, . not LF but CR", () => {
    const text = Buffer.from('a\n>\r\n>\n x>y\n>z', 'latin1');
    expect(decoded('start-re:^>.$', text, [])).toEqual(['a\n', '>\r\n>\n x>y\n', '>z']);
  });
});

describe('between-re: each expression has its own groups', () => {
  it.for([
    // A backreference in the start expression means its own group, not the end's.
    [
      'between-re:(\\w)\\1\\n|(\\w)\\1',
      'x\naa\nbb\ncd\nee\nff\n',
      ['x\naa\n', 'bb\ncd\nee\n', 'ff\n'],
    ],
    // Both may name a group alike.
    [
      'between-re:(?<c>\\w)\\k<c>\\n|(?<c>\\w)\\k<c>',
      'x\naa\nbb\ncd\nee\nff\n',
      ['x\naa\n', 'bb\ncd\nee\n', 'ff\n'],
    ],
    // \2 with one group is the byte 0x02, as in the end expression alone; \8 is an 8.
    ['between-re:(a)\\2|(b)\\8', 'xa\x02b8a\x02b9a\x02b8', ['xa\x02', 'b8a\x02b9a\x02', 'b8']],
  ] as [string, string, string[]][])('%s', ([framing, input, records]) => {
    expect(decoded(framing, Buffer.from(input, 'latin1'), [])).toEqual(records);
  });
});
