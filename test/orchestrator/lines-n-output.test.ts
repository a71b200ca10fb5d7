import { describe, expect, it } from 'vitest';
import { parseFraming } from '../../filters/index.js';
import { RecordSeam } from '../../orchestrator/fan/seam.js';
import { WholeRecords } from '../../orchestrator/fan/whole.js';
import { cutsOf, piecesOf } from '../support/cuts.js';

// The output side of `lines:<n>`: the merges pass a worker's output on in whole records of n
// lines (the whole-record finder), and where outputs meet a short record (the input's last, of
// fewer lines) waits for the end, as a short `fixed:` record does, so no record after it shifts.

const text = (parts: Buffer[]) => Buffer.concat(parts).toString('latin1');
const b = (s: string) => Buffer.from(s, 'latin1');
const LINES_4 = parseFraming('lines:4', 'join');

/** Lines in `s`, a last one without its LF counted. */
const linesIn = (s: string) => s.split('\n').length - (s.endsWith('\n') || s === '' ? 1 : 0);

describe('WholeRecords, lines:4: a worker output cut anywhere passes in whole reads', () => {
  const output = '@a\nAC\n+\nII\n@b\n\n+\n\n@c\nG\n+\nI\n@short\nT';
  it('at every cut, in two, three and 1-byte pieces', () => {
    const data = b(output);
    for (const cuts of cutsOf(data.length, { threeUpTo: 40, bytewise: true })) {
      const whole = new WholeRecords(LINES_4);
      let passed = '';
      for (const piece of piecesOf(data, cuts)) {
        const out = text(whole.push(piece));
        passed += out;
        // Whatever passes ends a read: whole lines, four to a read.
        expect(linesIn(passed) % 4, `cuts ${cuts}`).toBe(0);
        expect(out === '' || out.endsWith('\n'), `cuts ${cuts}`).toBe(true);
      }
      expect(passed + text(whole.end()), `cuts ${cuts}`).toBe(output);
    }
  });
});

describe('RecordSeam, lines:4', () => {
  const read1 = '@a\nAC\n+\nII\n';
  const read2 = '@b\nG\n+\nI\n';

  it.for(['@t\nAC', '@t\nAC\n', '@t'])(
    'a short read %j from a block done first waits for the end of the output',
    (short) => {
      const seam = new RecordSeam(LINES_4);
      let out = text(seam.join([b(short)]));
      out += text(seam.join([b(read1)]));
      out += text(seam.join([b(read2.slice(0, 3)), b(read2.slice(3))]));
      expect(out).toBe(read1 + read2);
      expect(out + text(seam.end())).toBe(read1 + read2 + short);
    },
  );

  it('whole reads before a short one in the same output pass; the short one waits', () => {
    const seam = new RecordSeam(LINES_4);
    let out = text(seam.join([b(`${read1}@t\n`), b('AC')]));
    out += text(seam.join([b(read2)]));
    expect(out + text(seam.end())).toBe(`${read1}${read2}@t\nAC`);
  });

  it('copies of the short read (--dispatch broadcast) go to the end, each ended by its LF but the last', () => {
    const seam = new RecordSeam(LINES_4);
    let out = text(seam.join([b('@t\nAC')]));
    out += text(seam.join([b(`${read1}@t\nAC`)]));
    expect(out + text(seam.end())).toBe(`${read1}@t\nAC\n@t\nAC`);
  });
});
