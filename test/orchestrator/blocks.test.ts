import { describe, expect, it } from 'vitest';
import { parseFraming } from '../../filters/index.js';
import { Splitter } from '../../orchestrator/fan/splitter.js';
import { WholeRecords } from '../../orchestrator/fan/whole.js';
import { RecordCounter } from '../../orchestrator/workers/attribution/count.js';
import { cutsOf, piecesOf } from '../support/cuts.js';
import { framed } from '../support/framing.js';

function split(framing: string, input: Buffer, cuts: number[], block: number) {
  const splitter = new Splitter(parseFraming(framing), block, 1 << 20);
  const blocks = piecesOf(input, cuts).flatMap((chunk) => splitter.push(chunk));
  blocks.push(...splitter.end());
  return blocks;
}

const frame = (...payloads: string[]) => framed(payloads);

describe('the splitter', () => {
  const cases: [string, Buffer, string[]][] = [
    ['lines', Buffer.from('a\nbb\n\nccc\nd'), ['a', 'bb', '', 'ccc', 'd']],
    ['nul', Buffer.from('x\0\0yz\0'), ['x', '', 'yz']],
    ['delim:-|', Buffer.from('ab-|c-|-|d--|'), ['ab', 'c', '', 'd-']],
    ['fixed:3', Buffer.from('abcdefgh'), ['abc', 'def', 'gh']],
    ['frames', frame('ab', '', 'cde', 'f'), ['ab', '', 'cde', 'f']],
  ];

  for (const [framing, input, records] of cases) {
    it(`cuts ${framing} blocks on record boundaries, at every read boundary and block size`, () => {
      for (const block of [1, 2, 3, 5, 100]) {
        for (const cuts of cutsOf(input.length, { threeUpTo: 20 })) {
          const blocks = split(framing, input, cuts, block);
          const where = `block ${block}, cuts ${cuts}`;
          expect(Buffer.concat(blocks.flatMap((b) => b.parts)).equals(input), where).toBe(true);
          expect(
            blocks.reduce((n, b) => n + b.records, 0),
            where,
          ).toBe(records.length);
          let next = 1;
          blocks.forEach((b, i) => {
            expect(b.seq, where).toBe(i);
            expect(b.firstRecord, where).toBe(next);
            expect(b.bytes, where).toBe(Buffer.concat(b.parts).length);
            next += b.records;
          });
          // Every block but the last ends where a record ends: split each alone, join, compare.
          const rejoined = blocks.map((b) => Buffer.concat(b.parts));
          for (const part of rejoined.slice(0, -1)) {
            const tail = split(framing, part, [], 1 << 20);
            expect(
              tail.reduce((n, b) => n + b.records, 0),
              where,
            ).toBe(blocks[rejoined.indexOf(part)]!.records);
          }
        }
      }
    });
  }

  it('makes a record larger than a block into a block of its own', () => {
    const input = Buffer.from(`a\n${'x'.repeat(100)}\nb\n`);
    const blocks = split('lines', input, [10, 50], 4);
    expect(blocks.map((b) => Buffer.concat(b.parts).toString())).toEqual([
      'a\n',
      `${'x'.repeat(100)}\n`,
      'b\n',
    ]);
  });

  it('stops at a record over the maximum instead of growing a block without bound', () => {
    const splitter = new Splitter(parseFraming('lines'), 16, 1000);
    expect(() => {
      for (let i = 0; i < 20; i++) splitter.push(Buffer.alloc(100, 'x'));
    }).toThrow(/input:1: record is larger than the maximum record size/);
  });

  it('reports a frame cut short at the end of the input', () => {
    const input = frame('abc', 'defg').subarray(0, 10);
    expect(() => split('frames', input, [], 4)).toThrow(/input:2: truncated frame/);
  });
});

describe('whole records from a worker', () => {
  const whole = (framing: string, input: Buffer, cuts: number[]) => {
    const w = new WholeRecords(parseFraming(framing));
    const out: Buffer[][] = [];
    for (const chunk of piecesOf(input, cuts)) out.push(w.push(chunk));
    out.push(w.end());
    return out.map((parts) => Buffer.concat(parts));
  };

  it('passes only whole lines, holding a partial one, and leaves the last as it is', () => {
    for (const cuts of cutsOf(9, { threeUpTo: 20 })) {
      const out = whole('lines', Buffer.from('ab\ncd\nef'), cuts);
      expect(Buffer.concat(out).toString(), `${cuts}`).toBe('ab\ncd\nef');
      for (const part of out.slice(0, -1)) {
        expect(part.length === 0 || part.at(-1) === 10, `${cuts}`).toBe(true);
      }
    }
  });

  it('passes only whole frames', () => {
    const input = frame('abc', '', 'de');
    for (const cuts of cutsOf(input.length, { threeUpTo: 20 })) {
      const out = whole('frames', input, cuts);
      expect(Buffer.concat(out).equals(input)).toBe(true);
      for (const part of out) {
        let at = 0;
        while (at < part.length) at += 4 + part.readUInt32BE(at);
        expect(at, `${cuts}`).toBe(part.length);
      }
    }
  });

  it('finds a multi-byte delimiter split between two chunks', () => {
    const out = whole('delim:-|', Buffer.from('ab-|cd'), [3]);
    expect(out.map(String)).toEqual(['', 'ab-|', 'cd']);
  });
});

describe('counting output records', () => {
  it('finds where the Nth record ends, across chunks', () => {
    const counter = new RecordCounter(parseFraming('lines'));
    expect(counter.advance(Buffer.from('a\nb'), 0, 3)).toEqual({ found: 1, end: 3 });
    expect(counter.midRecord).toBe(true);
    const chunk = Buffer.from('\nc\nd\n');
    expect(counter.advance(chunk, 0, 2)).toEqual({ found: 2, end: 3 });
    expect(counter.midRecord).toBe(false);
    expect(counter.advance(chunk, 3, 5)).toEqual({ found: 1, end: 5 });
  });

  it('counts a delimiter split across chunks once', () => {
    const counter = new RecordCounter(parseFraming('delim:--'));
    expect(counter.advance(Buffer.from('ab-'), 0, 1)).toEqual({ found: 0, end: 3 });
    expect(counter.advance(Buffer.from('-cd--'), 0, 2)).toEqual({ found: 2, end: 5 });
  });

  it('counts frames and fixed records', () => {
    const frames = new RecordCounter(parseFraming('frames'));
    const input = frame('abc', '', 'de');
    expect(frames.advance(input.subarray(0, 5), 0, 3)).toEqual({ found: 0, end: 5 });
    expect(frames.advance(input.subarray(5), 0, 2)).toEqual({ found: 2, end: 6 });
    const fixed = new RecordCounter(parseFraming('fixed:2'));
    expect(fixed.advance(Buffer.from('abcde'), 0, 9)).toEqual({ found: 2, end: 5 });
    expect(fixed.midRecord).toBe(true);
  });
});

describe('hash partition', () => {
  it('sends each record where the general path would, on the fast path for lines', async () => {
    const { HashPartitioner, hashKey } = await import('../../orchestrator/fan/partition.js');
    const { keyOf, parseKeySpec } = await import('../../filters/index.js');
    let state = 5;
    const pick = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const words = ['a', 'bb', 'c c', '', 'dd\t', 'e'];
    const lines = Array.from({ length: 3000 }, () =>
      Array.from({ length: pick(5) }, () => words[pick(words.length)]).join(pick(2) ? ' ' : ','),
    );
    for (const [spec, sep] of [
      ['whole'],
      ['field:2'],
      ['field:1', ','],
      ['field:3', ','],
    ] as const) {
      for (const ending of ['\n', '']) {
        const text = lines.join('\n') + ending;
        const block = {
          seq: 0,
          parts: [Buffer.from(text.slice(0, 5000)), Buffer.from(text.slice(5000))],
          bytes: Buffer.byteLength(text),
          firstRecord: 1,
          records: 3000,
          failures: 0,
        };
        const key = parseKeySpec(spec, sep);
        let seq = 0;
        const parts = new HashPartitioner(3, parseFraming('lines'), key, 1 << 20).split(
          block,
          () => seq++,
        );
        const expected: string[][] = [[], [], []];
        for (const line of lines) expected[hashKey(keyOf(key, Buffer.from(line))) % 3]!.push(line);
        // Each record ends with its newline, but the input's last when it had none.
        const got = parts.map((part) => {
          if (part === null) return [];
          const text = Buffer.concat(part.parts).toString();
          return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
        });
        expect(got, `${spec} ${sep ?? ''} ${JSON.stringify(ending)}`).toEqual(expected);
        expect(parts.map((part) => part?.records ?? 0)).toEqual(expected.map((e) => e.length));
      }
    }
  });

  it('keeps every record of a block of more records than its tables first hold', async () => {
    const { HashPartitioner, hashKey } = await import('../../orchestrator/fan/partition.js');
    const { parseKeySpec } = await import('../../filters/index.js');
    // 200 000 records: past the 65 536 record ends the fast path allocates at first.
    const lines = Array.from({ length: 200_000 }, (_, i) => `k${i % 977} ${i}`);
    const text = `${lines.join('\n')}\n`;
    const block = {
      seq: 0,
      parts: [Buffer.from(text)],
      bytes: Buffer.byteLength(text),
      firstRecord: 1,
      records: lines.length,
      failures: 0,
    };
    const parts = new HashPartitioner(
      2,
      parseFraming('lines'),
      parseKeySpec('field:1'),
      1 << 20,
    ).split(block, () => 0);
    const expected: string[][] = [[], []];
    for (const line of lines) expected[hashKey(Buffer.from(line.split(' ')[0]!)) % 2]!.push(line);
    const got = parts.map((part) => Buffer.concat(part!.parts).toString().split('\n').slice(0, -1));
    expect(got).toEqual(expected);
  });
});
