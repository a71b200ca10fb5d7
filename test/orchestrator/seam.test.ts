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

  it('in order (the ordered merge): a short record stays in its block’s place, lines:2 and fixed:4 (it was moved to the end)', () => {
    const lines = new RecordSeam(parseFraming('lines:2', 'join'), { inOrder: true });
    let out = text(lines.join([b('1\n3\n5\n')]));
    out += text(lines.join([b('7\n9\n11')]));
    out += text(lines.join([b('13\n')]));
    out += text(lines.end());
    expect(out).toBe('1\n3\n5\n7\n9\n11\n13\n');
    const fixed = new RecordSeam(parseFraming('fixed:4', 'join'), { inOrder: true });
    out = text(fixed.join([b('abcdef')]));
    out += text(fixed.join([b('gh')]));
    out += text(fixed.end());
    expect(out).toBe('abcdefgh');
  });
});
