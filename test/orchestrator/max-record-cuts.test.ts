import { describe, expect, it } from 'vitest';
import { createDecoder, parseFraming } from '../../filters/index.js';
import { Splitter } from '../../orchestrator/fan/splitter.js';
import { WholeRecords } from '../../orchestrator/fan/whole.js';
import { cutsOf, piecesOf } from '../support/cuts.js';

// --max-record in every framing, through every part that measures records (the fan's splitter,
// its reader of a worker's output, the SDK's decoder), fed records of exactly the limit and of one
// byte over, cut at every position: a record's size is its bytes without its delimiter, however
// the reads fall. A delimiter (or the next record's start string) split across reads is not the
// record's; a record over the limit is refused wherever it lies, whole in one read or the last.

const LIMIT = 6;
const TOO_LARGE = /(larger|more) than the maximum record size/;

/** Each framing's record of `size` bytes, as the framing counts them, with its framing bytes. */
const cases: [
  framing: string,
  record: (size: number) => string,
  last?: (size: number) => string,
][] = [
  ['lines', (n) => `${'x'.repeat(n)}\n`, (n) => 'x'.repeat(n)],
  ['delim:<>', (n) => `${'x'.repeat(n)}<>`, (n) => 'x'.repeat(n)],
  ['delim:\\r\\n', (n) => `${'x'.repeat(n)}\r\n`, (n) => 'x'.repeat(n)],
  ['delim:ABA', (n) => `${'B'.repeat(n)}ABA`, (n) => 'B'.repeat(n)],
  ['lines:2', (n) => `${'x'.repeat(n - 2)}\ny\n`, (n) => `${'x'.repeat(n - 2)}\ny`],
  ['start:>>', (n) => `>>${'x'.repeat(n - 2)}`],
  ['between:\\n|>', (n) => `>${'x'.repeat(n - 2)}\n`],
  ['frames', (n) => `${String.fromCharCode(0, 0, 0, n)}${'x'.repeat(n)}`],
];

/** Every part that measures records, fed `pieces`: what each gave, or the error it threw. */
function through(framing: string, pieces: Buffer[]): Record<string, string> {
  const parsed = parseFraming(framing);
  const outcome = (make: () => Buffer[]) => {
    try {
      return Buffer.concat(make()).toString('latin1');
    } catch (error) {
      return String(error);
    }
  };
  return {
    splitter: outcome(() => {
      const splitter = new Splitter(parsed, 1, LIMIT);
      const blocks = pieces.flatMap((piece) => splitter.push(piece));
      blocks.push(...splitter.end());
      return blocks.flatMap((block) => block.parts);
    }),
    output: outcome(() => {
      const whole = new WholeRecords(parsed, LIMIT);
      const out = pieces.flatMap((piece) => whole.push(piece));
      out.push(...whole.end());
      return out;
    }),
    decoder: outcome(() => {
      const decoder = createDecoder(parsed, { maxRecord: LIMIT });
      const out: Buffer[] = [];
      for (const piece of pieces) decoder.push(piece, out);
      decoder.end(out);
      return out.map((record) => Buffer.from(record));
    }),
  };
}

function atEveryCut(framing: string, input: string, check: (got: Record<string, string>) => void) {
  const data = Buffer.from(input, 'latin1');
  for (const cuts of cutsOf(data.length, { bytewise: true, threeUpTo: 40 })) {
    const got = through(framing, piecesOf(data, cuts));
    try {
      check(got);
    } catch (error) {
      throw new Error(`${framing} ${JSON.stringify(input)} cut at ${cuts}: ${error}`);
    }
  }
}

for (const [framing, record, last = record] of cases) {
  describe(`--max-record ${LIMIT} B, ${framing}`, () => {
    it('records of exactly the limit pass, however the reads fall', () => {
      for (const input of [
        record(LIMIT) + record(2) + record(LIMIT),
        record(2) + record(LIMIT) + last(LIMIT),
      ]) {
        atEveryCut(framing, input, (got) => {
          expect(got.splitter).toBe(input);
          expect(got.output).toBe(input);
          // The decoder gives records without their framing: only that none was refused.
          expect(got.decoder).not.toMatch(TOO_LARGE);
        });
      }
    });

    it('one byte over is refused, in the middle, whole in one read or not, and last', () => {
      for (const input of [
        record(2) + record(LIMIT + 1) + record(2),
        record(LIMIT + 1),
        record(2) + last(LIMIT + 1),
      ]) {
        atEveryCut(framing, input, (got) => {
          expect(got.splitter).toMatch(TOO_LARGE);
          expect(got.output).toMatch(TOO_LARGE);
          expect(got.decoder).toMatch(TOO_LARGE);
        });
      }
    });
  });
}

describe('a last record at the limit followed by part of a delimiter: the part is its own', () => {
  it('delim:<>: `xxxxxx<` is 7 B, refused', () => {
    atEveryCut('delim:<>', `ab<>${'x'.repeat(LIMIT)}<`, (got) => {
      expect(got.splitter).toMatch(TOO_LARGE);
      expect(got.output).toMatch(TOO_LARGE);
      expect(got.decoder).toMatch(TOO_LARGE);
    });
  });
});
