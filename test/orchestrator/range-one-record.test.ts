import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseFraming } from '../../filters/index.js';
import { rangeCut } from '../../orchestrator/fan/range-cut.js';
import { RangeReader } from '../../orchestrator/fan/range-input.js';
import { fileTempDir } from '../support/temp.js';

// A record larger than a block, from a file (orchestrator/fan/range-input.ts): its end is found
// first, reading on through one scratch buffer, then the record is read into memory of its own
// size. Read into a buffer that doubles, a copy at each step, a 50 MB record peaked at 141 MB
// and one over --max-record took 220-255 MB before its error.

const MIB = 1024 * 1024;
const BLOCK = 64 * 1024;

async function blocksOf(input: Buffer, framing: string, maxRecord: number): Promise<Buffer[]> {
  const file = join(fileTempDir('manifold-one-record-'), 'input');
  writeFileSync(file, input);
  const fd = openSync(file, 'r');
  try {
    const cut = rangeCut(parseFraming(framing))!;
    const reader = new RangeReader(
      { fd, name: file, start: 0, owned: true },
      cut,
      BLOCK,
      maxRecord,
    );
    const blocks: Buffer[] = [];
    for await (const block of reader.blocks(
      async () => {},
      () => false,
    )) {
      expect(block.parts).toHaveLength(1);
      blocks.push(block.parts[0]!);
    }
    return blocks;
  } finally {
    closeSync(fd);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a record larger than a block, from a file', () => {
  for (const [framing, delimiter] of [
    ['lines', '\n'],
    ['delim:<-->', '<-->'],
  ] as const) {
    it(`${framing}: is one block, in memory of exactly its size`, async () => {
      const huge = Buffer.alloc(5_000_000, 'h');
      const small = 'small'.concat(delimiter).repeat(300);
      // A delimiter cut in two by the scratch buffer's reads and by the first block's end.
      for (const before of [small, small.slice(0, BLOCK - 2)]) {
        const input = Buffer.concat([
          Buffer.from(before),
          huge,
          Buffer.from(delimiter),
          Buffer.from(small),
        ]);
        const blocks = await blocksOf(input, framing, 64 * MIB);
        expect(Buffer.concat(blocks).equals(input)).toBe(true);
        const big = blocks.find((block) => block.length > BLOCK)!;
        expect(big.toString('latin1').endsWith(`h${delimiter}`)).toBe(true);
        expect(big.buffer.byteLength).toBe(big.length);
      }
    });
  }

  it('the last record, without its delimiter, is read to the end of the file', async () => {
    const input = Buffer.concat([Buffer.from('a\nb\n'), Buffer.alloc(300_000, 'z')]);
    const blocks = await blocksOf(input, 'lines', 64 * MIB);
    expect(Buffer.concat(blocks).equals(input)).toBe(true);
    expect(blocks.at(-1)!.length).toBe(300_000);
  });

  it('one over --max-record is refused before memory is taken for it', async () => {
    const input = Buffer.concat([
      Buffer.from('a\nb\n'),
      Buffer.alloc(6 * MIB, 'z'),
      Buffer.from('\n'),
    ]);
    const allocated: number[] = [];
    const allocUnsafeSlow = Buffer.allocUnsafeSlow.bind(Buffer);
    vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((size: number) => {
      allocated.push(size);
      return allocUnsafeSlow(size);
    });
    await expect(blocksOf(input, 'lines', MIB)).rejects.toThrow(
      /^input:3: record is larger than the maximum record size 1 MiB \(.* so far\); raise it with --max-record$/,
    );
    // The two blocks' buffers (this test keeps every block it is given) and the scratch buffer
    // the record's end is looked for in; the old reader took 8 MiB and more.
    expect(allocated.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(2 * BLOCK + MIB);
  });

  it('a whole record over --max-record is measured whole, without its delimiter, as from a pipe', async () => {
    const record = (length: number) =>
      Buffer.concat([Buffer.from('a\n'), Buffer.alloc(length, 'z'), Buffer.from('\nb\n')]);
    await expect(blocksOf(record(BLOCK * 2 + 1), 'lines', BLOCK * 2)).rejects.toThrow(
      /^input:2: record is larger than the maximum record size 128 KiB \(128 KiB \+ 1 B\); raise/,
    );
    const fits = await blocksOf(record(BLOCK * 2), 'lines', BLOCK * 2);
    expect(fits.map((block) => block.length)).toEqual([2, BLOCK * 2 + 1, 2]);
  });
});
