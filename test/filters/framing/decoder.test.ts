import { describe, expect, it } from 'vitest';
import type { DelimitedDecoder } from '../../../filters/framing/delimited.js';
import { createDecoder, parseFraming, RecordError } from '../../../filters/index.js';
import { cutsOf } from '../../support/cuts.js';
import { framed } from '../../support/framing.js';

type Feed = 'copies' | 'contiguous';

/** Decodes `input` pushed as the pieces cut at `cuts`, each a copy or a view of one buffer. */
function decode(
  framing: string,
  input: Buffer,
  cuts: number[],
  feed: Feed = 'copies',
  max?: number,
) {
  const decoder = createDecoder(parseFraming(framing), { maxRecord: max });
  const records: Buffer[] = [];
  let start = 0;
  for (const end of [...cuts, input.length]) {
    const piece = input.subarray(start, end);
    decoder.push(feed === 'copies' ? Buffer.from(piece) : piece, records);
    start = end;
  }
  decoder.end(records);
  return records.map((record) => Buffer.from(record).toString('latin1'));
}

function everyCut(framing: string, input: Buffer, expected: string[]) {
  for (const cuts of cutsOf(input.length, { threeUpTo: 24 })) {
    for (const feed of ['copies', 'contiguous'] as const) {
      expect(decode(framing, input, cuts, feed), `cuts ${cuts} ${feed}`).toEqual(expected);
    }
  }
}

const frame = (...payloads: string[]) => framed(payloads);

describe('lines', () => {
  it('splits four lines on any two or three writes', () => {
    everyCut('lines', Buffer.from('one\ntwo\n\nfour\n'), ['one', 'two', '', 'four']);
  });

  it('keeps a final line without a newline', () => {
    everyCut('lines', Buffer.from('a\nbc'), ['a', 'bc']);
  });

  it('keeps CR, NUL and invalid UTF-8 bytes exactly', () => {
    const input = Buffer.from('x\r\n\u00ff\u0000\u00c3\n\u0080z\r', 'latin1');
    everyCut('lines', input, ['x\r', '\u00ff\u0000\u00c3', '\u0080z\r']);
  });

  it('gives no records for empty input', () => {
    expect(decode('lines', Buffer.alloc(0), [])).toEqual([]);
  });

  it('gives one empty record for a lone newline', () => {
    expect(decode('lines', Buffer.from('\n'), [])).toEqual(['']);
  });
});

describe('nul and delim', () => {
  it('splits on NUL', () => {
    everyCut('nul', Buffer.from('a b\0c\nd\0\0e'), ['a b', 'c\nd', '', 'e']);
  });

  it('finds a multi-byte delimiter split across writes', () => {
    everyCut('delim:--|', Buffer.from('ab--|--|c-|d--|-e'), ['ab', '', 'c-|d', '-e']);
  });

  it('understands escapes in a delimiter', () => {
    everyCut('delim:\\n\\n', Buffer.from('p1\nl2\n\np2\n\n'), ['p1\nl2', 'p2']);
  });

  it('does not find a delimiter in the bytes of two records that only look like one', () => {
    everyCut('delim:aa', Buffer.from('xaaaay'), ['x', '', 'y']);
  });
});

describe('fixed', () => {
  it('cuts every N bytes and keeps a short final record', () => {
    everyCut('fixed:3', Buffer.from('abcdefgh'), ['abc', 'def', 'gh']);
  });
});

describe('frames', () => {
  it('reads length-prefixed payloads, empty ones and binary bytes included', () => {
    const input = frame('hello', '', '\u0000\n\u00ff', 'x');
    everyCut('frames', input, ['hello', '', '\u0000\n\u00ff', 'x']);
  });

  it('reports a frame cut short by the end of input', () => {
    const input = frame('hello', 'world').subarray(0, 15);
    expect(() => decode('frames', input, [7])).toThrow(
      /stdin:2: truncated frame: its header says 5 bytes but the input ends after 2/,
    );
  });

  it('reports input that ends inside a header', () => {
    const input = Buffer.concat([frame('ok'), Buffer.from([0, 0])]);
    expect(() => decode('frames', input, [])).toThrow(
      /stdin:2: truncated frame: the input ends inside a 4-byte frame header/,
    );
  });
});

describe('the maximum record size', () => {
  it('stops at a record over the maximum, inside one read', () => {
    expect(() => decode('lines', Buffer.from('ok\n0123456789\n'), [], 'copies', 8)).toThrow(
      RecordError,
    );
    expect(() => decode('lines', Buffer.from('ok\n0123456789\n'), [], 'copies', 8)).toThrow(
      /stdin:2: record is larger than the maximum record size 8 B/,
    );
  });

  it('stops a record that grows past the maximum over many reads, without keeping it', () => {
    const decoder = createDecoder(parseFraming('lines'), { maxRecord: 1000 });
    const out: Buffer[] = [];
    decoder.push(Buffer.from('a\n'), out);
    expect(() => {
      for (let i = 0; i < 100; i++) decoder.push(Buffer.alloc(100, 'x'), out);
    }).toThrow(/stdin:2: record is larger/);
  });

  it('accepts a record exactly at the maximum', () => {
    expect(decode('lines', Buffer.from('12345678\n'), [3], 'copies', 8)).toEqual(['12345678']);
  });

  it('checks frame lengths before reading the payload', () => {
    const header = Buffer.from([0, 0, 8, 0]);
    expect(() => decode('frames', header, [], 'copies', 1024)).toThrow(
      'stdin:1: frame header says 2 KiB, more than the maximum record size 1 KiB: is the input frames? (--max-record raises the limit)',
    );
  });
});

describe('records are views', () => {
  it('gives views of the chunk, not copies', () => {
    const chunk = Buffer.from('abc\ndef\n');
    const out: Buffer[] = [];
    createDecoder(parseFraming('lines')).push(chunk, out);
    chunk[0] = 0x41;
    expect(out[0]!.toString()).toBe('Abc');
    expect(Buffer.isBuffer(out[0])).toBe(true);
  });

  it('joins a record split across contiguous reads without copying', () => {
    const memory = Buffer.from('abc\ndef\nghi\n');
    const decoder = createDecoder(parseFraming('lines'));
    const out: Buffer[] = [];
    decoder.push(memory.subarray(0, 6), out);
    decoder.push(memory.subarray(6), out);
    expect(out[1]!.buffer).toBe(memory.buffer);
    expect(out.map(String)).toEqual(['abc', 'def', 'ghi']);
  });
});

describe('text decoding', () => {
  const text = (input: Buffer, cuts: number[]) => {
    const decoder = createDecoder(parseFraming('lines')) as DelimitedDecoder;
    const out: string[] = [];
    const originals: (Buffer | string)[] = [];
    let start = 0;
    for (const end of [...cuts, input.length]) {
      // Originals are indexed within each read's batch: shift them to the whole output.
      const batch: (Buffer | string)[] = [];
      const { records } = decoder.pushText(Buffer.from(input.subarray(start, end)), batch);
      batch.forEach((original, i) => {
        originals[out.length + i] = original;
      });
      out.push(...records);
      start = end;
    }
    decoder.endText(out, originals);
    return { out, originals };
  };

  it('equals decoding each record alone, at every cut, invalid UTF-8 included', () => {
    const input = Buffer.from(
      'héllo\nwörld \u00e2\u0082\u00ac\n\u00c3\n\u00ff\u00fe\nend',
      'latin1',
    );
    const reference = decode('lines', input, []).map((r) =>
      Buffer.from(r, 'latin1').toString('utf8'),
    );
    for (const cuts of cutsOf(input.length, { threeUpTo: 24 }))
      expect(text(input, cuts).out).toEqual(reference);
  });

  it('keeps the original bytes of records that are not valid UTF-8', () => {
    const input = Buffer.from('ok\nbad \u00ff\n', 'latin1');
    const { out, originals } = text(input, [5]);
    expect(out).toEqual(['ok', 'bad \uFFFD']);
    expect(originals[0]).toBeUndefined();
    expect(Buffer.from(originals[1] as Buffer).toString('latin1')).toBe('bad \u00ff');
  });

  it('splits long chunks in windows without losing records', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
    const input = Buffer.from(`${lines.join('\n')}\n`);
    expect(text(input, [1234, 500_000]).out).toEqual(lines);
  });
});
