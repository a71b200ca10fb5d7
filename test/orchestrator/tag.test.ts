import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDecoder, parseFraming, RecordEncoder } from '../../filters/index.js';
import { createTagger } from '../../orchestrator/fan/tag.js';
import { lend, wroteParts } from '../../orchestrator/workers/lent.js';

// `--tag` copies records ended by a delimiter once, into memory used again; what it gives must
// be what decoding the records and encoding each with its prefix gives, whatever the parts.

/** The tagged records as decoding and encoding them again gives them. */
function reference(framing: string, slot: number, parts: Buffer[]): Buffer {
  const spec = parseFraming(framing);
  const decoder = createDecoder(spec, { maxRecord: Number.MAX_SAFE_INTEGER });
  const records: Buffer[] = [];
  for (const part of parts) decoder.push(part, records);
  decoder.end(records);
  const encoder = new RecordEncoder(spec);
  for (const record of records) encoder.add(Buffer.concat([Buffer.from(`${slot}\t`), record]));
  return Buffer.concat(encoder.take());
}

/** `bytes` cut at `cuts` into parts (empty ones included). */
function cutAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    parts.push(bytes.subarray(from, point));
    from = point;
  }
  return parts;
}

describe('--tag', () => {
  for (const framing of ['lines', 'nul', 'delim:ab', 'delim:aa', 'delim:;;;']) {
    it(`${framing}: gives what decoding and encoding give, in any parts (fast-check, seeded)`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...'ab\n;\0x'.split('')), { maxLength: 60 }),
          fc.array(fc.nat(), { maxLength: 4 }),
          fc.integer({ min: 1, max: 12 }),
          (chars, cuts, slot) => {
            const bytes = Buffer.from(chars.join(''));
            const parts = cutAt(bytes, cuts);
            const tagged = Buffer.concat(createTagger(parseFraming(framing), String(slot))(parts));
            expect(tagged.toString()).toBe(reference(framing, slot, parts).toString());
          },
        ),
        { seed: 20261202, numRuns: 400 },
      );
    });
  }

  it('frames: each payload prefixed, its length with it', () => {
    const frame = (text: string) => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(payload.length);
      return Buffer.concat([header, payload]);
    };
    const tagged = createTagger(parseFraming('frames'), '3')([frame('ab'), frame('')]);
    expect(Buffer.concat(tagged)).toEqual(Buffer.concat([frame('3\tab'), frame('3\t')]));
  });

  it('settles the bytes it copied (a worker read memory comes back), and its own once written', () => {
    const memory = new ArrayBuffer(64);
    const back: ArrayBuffer[] = [];
    const read = Buffer.from(memory, 0, 8);
    read.write('a\nbc\nd\ne');
    lend(memory, 8, (buffer) => back.push(buffer));
    const tagged = createTagger(
      parseFraming('lines'),
      '2',
    )([read.subarray(0, 5), read.subarray(5)]);
    expect(Buffer.concat(tagged).toString()).toBe('2\ta\n2\tbc\n2\td\n2\te\n');
    expect(back).toEqual([memory]);
    // The tagged output is lent to the sink: written, it is used again by the next tagging.
    const first = tagged[0]!.buffer;
    wroteParts(tagged, tagged[0]!.length);
    const next = createTagger(parseFraming('lines'), '2')([Buffer.from('x\n')]);
    expect(next[0]!.buffer).toBe(first);
  });
});
