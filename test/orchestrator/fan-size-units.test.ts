import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../helpers.js';
import { runConfig } from '../support/pipeline.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// Size units as GNU parallel reads them: K M G T P are powers of 1024, k m g t p powers of
// 1000 (`seq 500 | parallel --pipe --block 1k wc -c` cuts 1000-byte blocks), not 1024-byte
// ones, as both cases binary would.

/** 500 lines of 10 bytes: a block of at most 1000 bytes holds 100 of them, of 1024 bytes 102. */
const input = Array.from({ length: 500 }, (_, i) => `${String(i).padStart(9, '0')}\n`).join('');
const file = fileWith('size-units-', input);

/** The byte counts `wc -c` printed for each block, in order. */
const counts = (stdout: Buffer) => stdout.toString().trim().split('\n').map(Number);

const decimal = [1000, 1000, 1000, 1000, 1000];
const binary = [1020, 1020, 1020, 1020, 920];

describe('size units: upper case binary, lower case decimal, as GNU parallel', () => {
  it.for([
    ['1k', decimal],
    ['1kB', decimal],
    ['1K', binary],
    ['1KiB', binary],
    ['1ki', binary],
  ] as const)('manifold fan --block %s', async ([block, blocks]) => {
    const result = await run(manifold, [
      'fan',
      '-j',
      '2',
      '--per-block',
      '--merge',
      'ordered',
      '--block',
      block,
      '--input',
      file,
      '--',
      'wc',
      '-c',
    ]);
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    expect(counts(result.stdout)).toEqual(blocks);
  });

  it('a config fan stage: block 1k', async () => {
    const fan = { workers: 2, block: '1k', merge: 'ordered', attribution: 'per-block' };
    const config = writeConfig(tempDir(), {
      input: file,
      stages: [{ fan: { ...fan, worker: ['wc', '-c'] } }],
    });
    const result = await runConfig(config);
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    expect(counts(result.stdout)).toEqual(decimal);
  });

  it("an mf-* filter's --max-record 1k takes a record of 1000 bytes (its delimiter not counted) and refuses one of 1001", async () => {
    const record = (bytes: number) => `${'x'.repeat(bytes)}\n`;
    const fits = await run(bin('mf-map'), ['--max-record', '1k', 'r'], record(1000));
    expect([fits.exitCode, fits.stderr]).toEqual([0, '']);
    const over = await run(bin('mf-map'), ['--max-record', '1k', 'r'], record(1001));
    expect(over.exitCode).toBe(1);
    expect(over.stderr).toMatch(/^mf-map: stdin:1: .*maximum record size 1000 B/);
  });
});
