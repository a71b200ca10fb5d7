import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBlankRecord, parseFraming, sameBoundaries } from '../../../filters/framing/spec.js';

describe('isBlankRecord: the blank ndjson line every reader skips', () => {
  // JSON's whitespace, after a byte-order mark: String#trim's (NBSP, U+3000, \v, \f, U+2028)
  // made lines that jq stops on skipped, exit 0.
  const blank = (text: string) => /^\uFEFF?[ \t\n\r]*$/.test(text);

  it("agrees with JSON's whitespace on bytes and on text, every single byte and random UTF-8", () => {
    for (let byte = 0; byte < 256; byte++) {
      const record = Buffer.from([0x20, byte, 0x09]);
      expect(isBlankRecord(record)).toBe(blank(record.toString('utf8')));
    }
    const texts = [
      '',
      ' \t\r\n',
      ' \t\r\n\v\f',
      '\u00a0',
      '\ufeff',
      '\ufeff\ufeff',
      '\u2028 ',
      '\u3000',
      ' {}',
      ' \u00a0x',
    ];
    for (const text of texts) {
      expect(isBlankRecord(Buffer.from(text))).toBe(blank(text));
      expect(isBlankRecord(text)).toBe(blank(text));
    }
    expect(texts.filter((text) => isBlankRecord(text))).toEqual(['', ' \t\r\n', '\ufeff']);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const bytes = Buffer.from(text);
        expect(isBlankRecord(bytes)).toBe(blank(bytes.toString('utf8')));
      }),
    );
  });

  it('reads a view where it lies', () => {
    const memory = Buffer.from('{"a":1}\n  \n');
    expect(isBlankRecord(memory.subarray(8, 10))).toBe(true);
    expect(isBlankRecord(memory.subarray(0, 7))).toBe(false);
  });
});

describe('sameBoundaries: framings that end records at the same places', () => {
  const cases: [string, string, boolean][] = [
    ['lines', 'ndjson', true],
    ['lines', 'delim:\\n', true],
    ['lines', 'nul', false],
    ['delim:ab', 'delim:ab', true],
    ['delim:ab', 'delim:a', false],
    ['frames', 'frames', true],
    ['fixed:4', 'fixed:4', true],
    ['fixed:4', 'fixed:8', false],
    ['frames', 'lines', false],
    ['raw', 'raw', true],
  ];
  for (const [a, b, same] of cases) {
    it(`${a} and ${b}: ${same}`, () => {
      expect(sameBoundaries(parseFraming(a), parseFraming(b))).toBe(same);
      expect(sameBoundaries(parseFraming(b), parseFraming(a))).toBe(same);
    });
  }
});
