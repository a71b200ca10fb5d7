import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBoundaryFinder } from '../../../filters/framing/boundary.js';
import { createDecoder, parseFraming, RecordEncoder } from '../../../filters/index.js';
import { cutsOf, piecesOf } from '../../support/cuts.js';

/**
 * The reference: records cut before each `end + start`'s start, the strings found left to right
 * without overlapping; no record before a start string at the very beginning.
 */
function startedRecords(data: Buffer, end: Buffer, start: Buffer): Buffer[] {
  const pattern = Buffer.concat([end, start]);
  const cuts: number[] = [];
  for (let at = data.indexOf(pattern); at >= 0; at = data.indexOf(pattern, at + pattern.length)) {
    const cut = at + end.length;
    if (cut > 0) cuts.push(cut);
  }
  const records: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    records.push(data.subarray(from, cut));
    from = cut;
  }
  if (from < data.length) records.push(data.subarray(from));
  return records;
}

/** Record ends found with `next` (each less the finder's lookahead), and `midRecord` after. */
function scanEnds(framing: string, pieces: Buffer[]) {
  const finder = createBoundaryFinder(parseFraming(framing));
  const counter = createBoundaryFinder(parseFraming(framing));
  const lookahead = finder.lookahead ?? 0;
  const ends: number[] = [];
  let offset = 0;
  let counted = 0;
  for (const piece of pieces) {
    for (let at = finder.next(piece, 0); at >= 0; at = finder.next(piece, at)) {
      ends.push(offset + at - lookahead);
    }
    counted += counter.advance(piece, 0, Number.POSITIVE_INFINITY).found;
    offset += piece.length;
  }
  return { ends, counted, mid: finder.midRecord, midCounted: counter.midRecord };
}

function decode(framing: string, pieces: Buffer[]): string[] {
  const decoder = createDecoder(parseFraming(framing));
  const out: Buffer[] = [];
  for (const piece of pieces) decoder.push(piece, out);
  decoder.end(out);
  return out.map((record) => record.toString('latin1'));
}

const CASES: [framing: string, end: string, start: string, data: string][] = [
  ['start:>', '', '>', '>a\nAC\n>b\nGT\n'],
  ['start:>', '', '>', 'preamble\n>a\nAC\n>b\n'],
  ['start:>', '', '>', '>>x>'],
  ['start:ABA', '', 'ABA', 'xABABAyABAABAz'],
  ['start:AA', '', 'AA', 'AAAAAxAAA'],
  ['start:AA', '', 'AA', 'xAAAy'],
  ['between:\\n|>', '\n', '>', '>a\nA>C\n>b\nGT'],
  ['between:\\n|>', '\n', '>', 'x\n>a\n\n>>b\n>'],
  ['between:AA|B', 'AA', 'B', 'AAABAABxAAAABAB'],
  ['between:ABA|C', 'ABA', 'C', 'ABABACABABACABACC'],
  ['between:\\r\\n\\r\\n|x', '\r\n\r\n', 'x', 'a\r\n\r\n\r\nxb\r\n\r\nx\r\n'],
];

describe('records that begin with a string, cut at every position and in 1-byte reads', () => {
  for (const [framing, end, start, text] of CASES) {
    it(`${framing} in ${JSON.stringify(text)}`, () => {
      const data = Buffer.from(text, 'latin1');
      const records = startedRecords(data, Buffer.from(end), Buffer.from(start));
      expect(Buffer.concat(records).equals(data)).toBe(true);
      const ends: number[] = [];
      let at = 0;
      for (const record of records.slice(0, -1)) {
        at += record.length;
        ends.push(at);
      }
      const strings = records.map((record) => record.toString('latin1'));
      for (const cuts of cutsOf(data.length, { bytewise: true })) {
        const pieces = piecesOf(data, cuts);
        const where = `cuts ${cuts.join(',')}`;
        const found = scanEnds(framing, pieces);
        expect(found.ends, where).toEqual(ends);
        expect(found.counted, where).toBe(ends.length);
        // Bytes after the last end (the last record, there always is one) are a record begun.
        expect(found.mid, where).toBe(data.length > 0);
        expect(found.midCounted, where).toBe(data.length > 0);
        expect(decode(framing, pieces), where).toEqual(strings);
      }
    });
  }

  it('agrees with the reference on random inputs of a small alphabet, in random reads', () => {
    const framings = [
      'start:A',
      'start:AB',
      'start:ABA',
      'between:B|A',
      'between:AA|B',
      'between:ABA|B',
      'between:AAB|B',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...framings),
        fc.array(fc.constantFrom('A', 'B', 'x'), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 10 }),
        (framing, letters, sizes) => {
          const spec = parseFraming(framing);
          if (spec.kind !== 'started') throw new Error(framing);
          const data = Buffer.from(letters.join(''));
          const pieces: Buffer[] = [];
          for (let at = 0, i = 0; at < data.length; i++) {
            const size = sizes[i % sizes.length]!;
            pieces.push(data.subarray(at, at + size));
            at += size;
          }
          const records = startedRecords(data, spec.end, spec.start);
          expect(decode(framing, pieces)).toEqual(records.map((r) => r.toString('latin1')));
        },
      ),
    );
  });
});

describe('the decoder', () => {
  it('gives a record its strings, and the bytes before the first start string as a record', () => {
    expect(decode('start:>', [Buffer.from('head\n>a\nAC\n>b\n')])).toEqual([
      'head\n',
      '>a\nAC\n',
      '>b\n',
    ]);
    expect(decode('between:\\n|>', [Buffer.from('>a b>c\nAC\n>b\n')])).toEqual([
      '>a b>c\nAC\n',
      '>b\n',
    ]);
  });

  it('gives no records for empty input', () => {
    expect(decode('start:>', [])).toEqual([]);
  });

  it('passes records unchanged as one slice of input (encoded)', () => {
    const decoder = createDecoder(parseFraming('start:>'));
    const out: Buffer[] = [];
    const chunk = Buffer.from('>a\n>b\n>c');
    decoder.push(chunk, out);
    expect(decoder.spanStart).toBe(0);
    expect(decoder.encoded(out[0]!, out.at(-1)!).toString()).toBe('>a\n>b\n');
  });

  it('stops at a record over the maximum, one held across reads included', () => {
    const decoder = createDecoder(parseFraming('start:>'), { maxRecord: 4 });
    const out: Buffer[] = [];
    decoder.push(Buffer.from('>ab>'), out);
    expect(() => decoder.push(Buffer.from('abcd'), out)).toThrow(/^stdin:2: record is larger/);
    expect(out.map(String)).toEqual(['>ab']);
  });
});

describe('the encoder', () => {
  function encode(framing: string, records: (string | Buffer)[]): string {
    const encoder = new RecordEncoder(parseFraming(framing));
    for (const record of records) encoder.add(record);
    return Buffer.concat(encoder.take()).toString();
  }

  it('writes records as they are, their strings in them', () => {
    expect(encode('start:>', ['>a\nAC\n', Buffer.from('>b\n')])).toBe('>a\nAC\n>b\n');
    expect(encode('between:\\n|>', ['head\n', '>a\nAC'])).toBe('head\n>a\nAC');
  });

  it('refuses a record after the first that does not begin with the start string', () => {
    expect(() => encode('start:>', ['>a\n', 'b\n'])).toThrow(
      'the record does not begin with ">"; in start:> output only the first record may not',
    );
  });

  it('refuses a record after one that does not end with the end string', () => {
    expect(() => encode('between:\\n|>', ['>a', '>b\n'])).toThrow(
      'a record follows one that does not end with "\\n"; in between:\\n|> output only the last record may',
    );
  });

  it('reads back what it wrote, record for record', () => {
    const records = ['pre\n', '>a\nAC\n', '>b\n\n'];
    expect(decode('between:\\n|>', [Buffer.from(encode('between:\\n|>', records))])).toEqual(
      records,
    );
  });
});

describe('parsing', () => {
  it('takes escapes and an escaped bar', () => {
    const framing = parseFraming('between:\\n\\||\\t>');
    expect(framing).toMatchObject({
      kind: 'started',
      end: Buffer.from('\n|'),
      start: Buffer.from('\t>'),
    });
  });

  it.each([
    ['start:', 'framing start:: the start string is empty'],
    [
      'between:\\n',
      "framing 'between:\\n': between: takes <end>|<start>, one unescaped | between them",
    ],
    [
      'between:a|b|c',
      "framing 'between:a|b|c': between: takes <end>|<start>, one unescaped | between them",
    ],
    [
      'between:|>',
      "framing 'between:|>': the end string is empty (records that only begin with a string are start:<string>)",
    ],
    ['between:\\n|', "framing 'between:\\n|': the start string is empty"],
    [
      'between:AB|AB',
      "framing 'between:AB|AB': the end string and the start string can be found again inside the start string, so a block would not be cut in records as the whole input is; give strings that do not overlap",
    ],
    [
      'between:A|BA',
      "framing 'between:A|BA': the end string and the start string can be found again inside the start string, so a block would not be cut in records as the whole input is; give strings that do not overlap",
    ],
  ])('refuses %s in one line', (text, message) => {
    expect(() => parseFraming(text)).toThrow(message);
  });
});
