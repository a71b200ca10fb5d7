import { describe, expect, it } from 'vitest';
import { createDecoder, parseFraming } from '../../filters/index.js';
import { countRecords } from '../../orchestrator/fan/records.js';
import { Splitter } from '../../orchestrator/fan/splitter.js';
import { WholeRecords } from '../../orchestrator/fan/whole.js';
import { RecordCounter } from '../../orchestrator/workers/attribution/count.js';
import { cutsOf, piecesOf } from '../support/cuts.js';
import { recordsOf } from '../support/fan-run.js';

// Every user of the boundary finders, fed the same bytes cut at every position (in two and three
// pieces, and in 1-byte reads), with delimiters that overlap themselves: each must agree with
// the records found left to right in the whole input.

const cases: [string, string, string][] = [
  ['delim:ABA', 'ABA', 'xxxxABABABBABAtail'],
  ['delim:ABA', 'ABA', 'ABABABABAAB'],
  ['delim:AA', 'AA', 'xAAAyAAAAzA'],
  ['delim:\\r\\n\\r\\n', '\r\n\r\n', 'a\r\n\r\n\r\nb\r\n\r\r\n\r\n\r\n\r\nc'],
  ['lines', '\n', 'ab\n\ncd\nef'],
];

const text = (parts: Buffer[]) => Buffer.concat(parts).toString('latin1');

for (const [framing, delimiter, input] of cases) {
  describe(`${framing} in ${JSON.stringify(input)}, at every cut`, () => {
    const data = Buffer.from(input, 'latin1');
    const records = recordsOf(data, delimiter);

    it('the splitter cuts blocks only between records, and counts them', () => {
      for (const block of [1, 4, 7, 100]) {
        const whole = new Splitter(parseFraming(framing), block, 1000).push(data);
        for (const cuts of cutsOf(data.length, { bytewise: true })) {
          const splitter = new Splitter(parseFraming(framing), block, 1000);
          const blocks = piecesOf(data, cuts).flatMap((piece) => splitter.push(piece));
          blocks.push(...splitter.end());
          const where = `block ${block}, cuts ${cuts}`;
          expect(text(blocks.flatMap((b) => b.parts)), where).toBe(input);
          const inBlocks = blocks.flatMap((b) => recordsOf(Buffer.concat(b.parts), delimiter));
          expect(inBlocks, where).toEqual(records);
          for (const b of blocks) {
            expect(b.records, where).toBe(recordsOf(Buffer.concat(b.parts), delimiter).length);
          }
          // The cuts do not depend on how the input was read.
          const early = blocks.slice(0, whole.length).map((b) => text(b.parts));
          expect(early, where).toEqual(whole.map((b) => text(b.parts)));
        }
      }
    });

    it('the whole-record finder passes whole records only', () => {
      for (const cuts of cutsOf(data.length, { bytewise: true })) {
        const finder = new WholeRecords(parseFraming(framing));
        const out = piecesOf(data, cuts).map((piece) => text(finder.push(piece)));
        out.push(text(finder.end()));
        expect(out.join(''), `cuts ${cuts}`).toBe(input);
        // Every batch but the last is whole records: its records are the input's, in order.
        const batches = out
          .slice(0, -1)
          .flatMap((batch) => recordsOf(Buffer.from(batch, 'latin1'), delimiter));
        expect(batches, `cuts ${cuts}`).toEqual(records.slice(0, batches.length));
      }
    });

    it('the one-to-one counter finds where each record ends', () => {
      for (const cuts of cutsOf(data.length, { bytewise: true })) {
        const counter = new RecordCounter(parseFraming(framing));
        let found = 0;
        for (const piece of piecesOf(data, cuts)) {
          for (let pos = 0; pos < piece.length; ) {
            const step = counter.advance(piece, pos, 1);
            found += step.found;
            pos = step.end;
          }
        }
        if (counter.midRecord) found++;
        expect(found, `cuts ${cuts}`).toBe(records.length);
      }
    });

    it('the decoder and the output record count agree', () => {
      for (const cuts of cutsOf(data.length, { bytewise: true })) {
        const decoder = createDecoder(parseFraming(framing));
        const out: Buffer[] = [];
        const pieces = piecesOf(data, cuts);
        for (const piece of pieces) decoder.push(piece, out);
        decoder.end(out);
        expect(
          out.map((r) => Buffer.from(r).toString('latin1')),
          `cuts ${cuts}`,
        ).toEqual(records);
        expect(countRecords(pieces, parseFraming(framing))).toBe(records.length);
      }
    });
  });
}

describe('the splitter on one long record (issue 10 item 12)', () => {
  it('scans each byte once: 32 MiB in 1 KiB reads', { timeout: 10_000 }, () => {
    const splitter = new Splitter(parseFraming('lines'), 1 << 20, 1 << 30);
    const read = Buffer.alloc(1024, 'a');
    let blocks = 0;
    for (let i = 0; i < 32 * 1024; i++) blocks += splitter.push(read).length;
    expect(blocks).toBe(0);
    const [block] = splitter.push(Buffer.from('\n'));
    expect(block!.bytes).toBe(32 * 1024 * 1024 + 1);
    expect(block!.records).toBe(1);
  });

  it('and with a multi-byte delimiter', { timeout: 10_000 }, () => {
    const splitter = new Splitter(parseFraming('delim:ABA'), 1 << 20, 1 << 30);
    const read = Buffer.alloc(1024, 'ABB');
    let blocks = 0;
    for (let i = 0; i < 32 * 1024; i++) blocks += splitter.push(read).length;
    expect(blocks).toBe(0);
    const [block] = splitter.push(Buffer.from('xABA'));
    expect(block!.records).toBe(1);
  });
});
