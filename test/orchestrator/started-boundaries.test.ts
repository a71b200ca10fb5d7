import { describe, expect, it } from 'vitest';
import { createDecoder, parseFraming } from '../../filters/index.js';
import { HeaderTaker } from '../../orchestrator/fan/header-input.js';
import { countRecords } from '../../orchestrator/fan/records.js';
import { RecordSeam } from '../../orchestrator/fan/seam.js';
import { Splitter } from '../../orchestrator/fan/splitter.js';
import { WholeRecords } from '../../orchestrator/fan/whole.js';
import type { InputHeader } from '../../orchestrator/workers/header.js';
import { cutsOf, piecesOf } from '../support/cuts.js';

// Records that begin with a string (start:, between:), through every part of the fan that looks
// for records, fed the same bytes cut at every position (in two and three pieces, and in 1-byte
// reads): a record's end is known only by the start string after it, which may begin in an
// earlier read, so the end lies in bytes read before the one that shows it.

const cases: [framing: string, records: string[]][] = [
  ['start:>', ['pre\n', '>a\nAC\n', '>b\n', '>']],
  ['start:ABA', ['x', 'ABABA', 'ABAy', 'ABA']],
  ['start:AA', ['x', 'AAAy', 'AA', 'AAz']],
  ['between:\\n|>', ['>a b>c\n', '>\n', '>>d\n', '>e']],
  ['between:AA|B', ['xAA', 'BAAA', 'BAAAA', 'By']],
  ['between:ABA|C', ['ABABA', 'CABABA', 'CABA', 'C']],
];

const text = (parts: Buffer[]) => Buffer.concat(parts).toString('latin1');

/** The records of bytes that hold whole ones, by the decoder (tested on its own elsewhere). */
function recordsOf(framing: string, bytes: string): string[] {
  const decoder = createDecoder(parseFraming(framing));
  const out: Buffer[] = [];
  decoder.push(Buffer.from(bytes, 'latin1'), out);
  decoder.end(out);
  return out.map((record) => Buffer.from(record).toString('latin1'));
}

for (const [framing, records] of cases) {
  const input = records.join('');
  const data = Buffer.from(input, 'latin1');

  describe(`${framing} in ${JSON.stringify(input)}, at every cut`, () => {
    it('the decoder gives the records', () => {
      expect(recordsOf(framing, input)).toEqual(records);
    });

    it('the splitter cuts blocks only between records, and counts them', () => {
      for (const block of [1, 4, 7, 100]) {
        for (const cuts of cutsOf(data.length, { bytewise: true })) {
          const splitter = new Splitter(parseFraming(framing), block, 1000);
          const blocks = piecesOf(data, cuts).flatMap((piece) => splitter.push(piece));
          blocks.push(...splitter.end());
          const where = `block ${block}, cuts ${cuts}`;
          expect(text(blocks.flatMap((b) => b.parts)), where).toBe(input);
          const inBlocks = blocks.map((b) => recordsOf(framing, text(b.parts)));
          expect(inBlocks.flat(), where).toEqual(records);
          expect(
            blocks.map((b) => b.records),
            where,
          ).toEqual(inBlocks.map((r) => r.length));
        }
      }
    });

    it('the whole-record finder passes whole records only', () => {
      for (const cuts of cutsOf(data.length, { bytewise: true })) {
        const finder = new WholeRecords(parseFraming(framing));
        const out = piecesOf(data, cuts).map((piece) => text(finder.push(piece)));
        out.push(text(finder.end()));
        expect(out.join(''), `cuts ${cuts}`).toBe(input);
        const batches = out.slice(0, -1).flatMap((batch) => recordsOf(framing, batch));
        expect(batches, `cuts ${cuts}`).toEqual(records.slice(0, batches.length));
      }
    });

    it('--header takes its first record whole', () => {
      for (const cuts of cutsOf(data.length, { bytewise: true })) {
        const header: InputHeader = { parts: [], bytes: 0, records: 0 };
        const taker = new HeaderTaker(1, parseFraming(framing), header, 1000);
        const rest = piecesOf(data, cuts).flatMap((piece) => taker.push(piece));
        rest.push(...taker.end());
        expect([text(header.parts), text(rest)], `cuts ${cuts}`).toEqual([
          records[0],
          records.slice(1).join(''),
        ]);
      }
    });

    it('the record count (--stats) agrees', () => {
      for (const cuts of cutsOf(data.length, { bytewise: true })) {
        expect(countRecords(piecesOf(data, cuts), parseFraming(framing)), `cuts ${cuts}`).toBe(
          records.length,
        );
      }
    });
  });
}

describe('the whole-record finder, between outputs', () => {
  it('finds no start string across the end of one output and the next', () => {
    const finder = new WholeRecords(parseFraming('start:AB'));
    expect(text(finder.push(Buffer.from('xA')))).toBe('');
    expect(text(finder.end())).toBe('xA');
    expect(text(finder.push(Buffer.from('BcABd')))).toBe('Bc');
    expect(text(finder.end())).toBe('ABd');
  });
});

describe('where two outputs meet', () => {
  it('between: puts the end string after an output that lacks it; start: puts nothing', () => {
    const between = new RecordSeam(parseFraming('between:\\n|>'));
    expect(text(between.join([Buffer.from('>a\nAC')]))).toBe('>a\nAC');
    expect(text(between.join([Buffer.from('>b\n')]))).toBe('\n>b\n');
    expect(text(between.join([Buffer.from('>c\n')]))).toBe('>c\n');
    const start = new RecordSeam(parseFraming('start:>'));
    expect(text(start.join([Buffer.from('>a\nAC')]))).toBe('>a\nAC');
    expect(text(start.join([Buffer.from('>b')]))).toBe('>b');
  });
});
