import { describe, expect, it } from 'vitest';
import { parseCutting } from '../../filters/framing/spec.js';
import { parseFraming } from '../../filters/index.js';
import { HeaderTaker } from '../../orchestrator/fan/header-input.js';
import type { InputHeader } from '../../orchestrator/workers/header.js';

// The header's taker holds its records to --max-record (header-input.ts). A record of the limit
// whose end has not come yet is not over it: a frame of exactly the limit, read up to just before
// its last byte, holds the limit and its 4-byte length, and a line its delimiter's start.

const header = (): InputHeader => ({ parts: [], bytes: 0, records: 0 });

/** A taker of a 2-record header cut by `delim-re:;`, held to 10 bytes. */
const expressionTaker = () => new HeaderTaker(2, parseCutting('delim-re:;'), header(), 10);

describe('the header taker and --max-record', () => {
  it('a frame of exactly the limit, cut just before its end, is taken', () => {
    const limit = 1000;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(limit);
    const frame = Buffer.concat([length, Buffer.alloc(limit, 97)]);
    const taker = new HeaderTaker(1, parseFraming('frames'), header(), limit);
    expect(taker.push(frame.subarray(0, frame.length - 1))).toEqual([]);
    const rest = Buffer.from([0, 0, 0, 1, 98]);
    expect(Buffer.concat(taker.push(Buffer.concat([frame.subarray(-1), rest])))).toEqual(rest);
  });

  it('a line of the limit whose two-byte delimiter is cut in half is taken; one byte more is not', () => {
    const limit = 10;
    const line = `${'x'.repeat(limit)}\r\n`;
    const taker = new HeaderTaker(1, parseFraming('delim:\\r\\n'), header(), limit);
    expect(taker.push(Buffer.from(line.slice(0, -1)))).toEqual([]);
    expect(Buffer.concat(taker.push(Buffer.from('\nab')))).toEqual(Buffer.from('ab'));
    const over = new HeaderTaker(1, parseFraming('lines'), header(), limit);
    expect(() => over.push(Buffer.from(`${'x'.repeat(limit + 1)}\n`))).toThrow(
      /record is larger than the maximum record size 10 B \(11 B\)/,
    );
  });

  it("records cut by an expression, whose ends are sure only at the input's end, are measured then too", () => {
    const taken = expressionTaker();
    expect(taken.push(Buffer.from('h1;h2;rest;'))).toEqual([]);
    expect(Buffer.concat(taken.end()).toString()).toBe('rest;');
    // Sized without the delimiter the end expression matched, as delim:'s.
    const over = expressionTaker();
    expect(over.push(Buffer.from(`h1;${'x'.repeat(11)};rest;`))).toEqual([]);
    expect(() => over.end()).toThrow(/record is larger than the maximum record size 10 B \(11 B\)/);
  });
});
