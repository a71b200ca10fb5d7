import { describe, expect, it } from 'vitest';
import { parseFraming } from '../../filters/index.js';
import { RecordSeam } from '../../orchestrator/fan/seam.js';

// Where the output's records meet: whatever order blocks' output comes in, records never run
// together, and the output is the input's bytes when the workers are `cat`.

const text = (parts: Buffer[]) => Buffer.concat(parts).toString('latin1');
const b = (s: string) => Buffer.from(s, 'latin1');

describe('RecordSeam', () => {
  it('lines: a record without its newline gets one only when more output follows', () => {
    const seam = new RecordSeam(parseFraming('lines', 'join'));
    let out = text(seam.join([b('a\nb')]));
    out += text(seam.join([b('c\n')]));
    out += text(seam.join([b('d')]));
    out += text(seam.end());
    expect(out).toBe('a\nb\nc\nd');
  });

  it('fixed: a short record is held back to the end, so no record after it is shifted', () => {
    const seam = new RecordSeam(parseFraming('fixed:4', 'join'));
    // The input's last record, short, from a block that was done first.
    let out = text(seam.join([b('ij')]));
    out += text(seam.join([b('abcd')]));
    out += text(seam.join([b('ef'), b('gh')]));
    expect(out).toBe('abcdefgh');
    out += text(seam.end());
    expect(out).toBe('abcdefghij');
  });
});
