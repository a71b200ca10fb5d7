import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordEncoder } from '../../../filters/framing/encoder.js';
import { createDecoder, parseFraming } from '../../../filters/index.js';
import { bin } from '../../helpers.js';

// What the SDK writes in start: and between: output is read back as the records it wrote, or
// the record it cannot write so is refused: `>a>b` in start:> output was written, and read back
// as `>a` and `>b` (mf-unframe re-cut frames so, exit 0, where it refuses a frame holding its
// delimiter). lines:N output is any filter's lines (a count a record of 4 lines): mf-unframe,
// whose frames are to come back as records, refuses one that would not.

const framings = ['start:>', 'between:\\n|>', 'between:;|#'];

/** The records written, in order, as far as the encoder takes them, and whether it refused one. */
function write(
  framing: string,
  records: Buffer[],
): { written: Buffer[]; bytes: Buffer; refused: boolean } {
  const encoder = new RecordEncoder(parseFraming(framing, '--join'));
  const written: Buffer[] = [];
  let refused = false;
  for (const record of records) {
    try {
      encoder.add(record);
    } catch {
      refused = true;
      break;
    }
    written.push(record);
  }
  return { written, bytes: Buffer.concat(encoder.take()), refused };
}

function read(framing: string, bytes: Buffer): Buffer[] {
  const decoder = createDecoder(parseFraming(framing, '--split'), { maxRecord: 1 << 20 });
  const out: Buffer[] = [];
  decoder.push(bytes, out);
  decoder.end(out);
  return out;
}

describe('records written in a framing that reads back only some', () => {
  it('are read back as written, or refused: never cut otherwise', () => {
    const record = fc
      .array(fc.constantFrom('a', '>', '\n', ';', '#'), { maxLength: 8 })
      .map((chars) => Buffer.from(chars.join('')));
    fc.assert(
      fc.property(
        fc.constantFrom(...framings),
        fc.array(record, { maxLength: 6 }),
        (framing, records) => {
          const { written, bytes } = write(framing, records);
          // Records each as written: a lines:N record read back without its last LF, as written.
          expect(read(framing, bytes).map(String)).toEqual(written.map(String));
        },
      ),
      { seed: 7, numRuns: 3000 },
    );
  });

  it.each([
    [
      'start:>',
      ['>a>b', '>c'],
      'stdin:1: the record holds ">" inside it, where start:> output is read back as two records',
    ],
    [
      'between:\\n|>',
      ['x\n>y\n', '>z\n'],
      'stdin:1: the record holds "\\n>" inside it, where between:\\n|> output is read back as two records',
    ],
    [
      'lines:2',
      ['a', 'b\nc'],
      'stdin:2: a frame follows one of 1 line; --join lines:2 reads back 2 lines a record (fewer only in the last)',
    ],
  ])(
    'mf-unframe --join %s: a frame that would not read back as one record is refused',
    (framing, frames, line) => {
      const input = Buffer.concat(
        frames.map((frame) => {
          const header = Buffer.alloc(4);
          header.writeUInt32BE(Buffer.byteLength(frame));
          return Buffer.concat([header, Buffer.from(frame)]);
        }),
      );
      let said = '';
      let status = 0;
      try {
        execFileSync(process.execPath, [bin('mf-unframe'), '--join', framing], {
          input,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
      } catch (error) {
        const failed = error as { status: number; stderr: Buffer };
        status = failed.status;
        said = failed.stderr.toString();
      }
      expect({ status, said }).toEqual({ status: 1, said: `mf-unframe: ${line}\n` });
    },
  );
});
