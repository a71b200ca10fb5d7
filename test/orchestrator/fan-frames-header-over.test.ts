import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { fan } from '../support/fan-run.js';
import { tempDir } from '../support/temp.js';

// `manifold fan --split frames` given a frame whose 4-byte header says it is over --max-record
// read on up to the limit: from a pipe 64 MiB held before `record is larger ...`, and from input
// that ended first, `truncated frame: the input ends inside a frame (N bytes left over)`; text
// given as frames (a header of `hell` says 1.6 GiB) was never said to be what it most often is.
// The fan now refuses it at its header, as the SDK's decoder (mf-unframe) does.

const header = (length: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(length);
  return bytes;
};

const OVER =
  /^manifold: (stdin|in\.txt):2: frame header says 2 KiB, more than the maximum record size 1 KiB: is the input frames\? \(--max-record raises the limit\)\n$/;

describe('fan --split frames: a frame header over --max-record', () => {
  const input = Buffer.concat([header(3), Buffer.from('abc'), header(2048), Buffer.alloc(10)]);
  const args = ['--split', 'frames', '--max-record', '1K', '--', 'cat'];

  it('on stdin: refused at its header, named by its number', async ({ expect }) => {
    const result = await fan(args, input);
    expect(result.stderr).toMatch(OVER);
    expect(result.exitCode).toBe(1);
  });

  it('under --header, in the header taken: the same', async ({ expect }) => {
    const result = await fan(['--header', '2', ...args], input);
    expect(result.stderr).toMatch(OVER);
    expect(result.exitCode).toBe(1);
  });

  it('in a file: the same', async ({ expect }) => {
    const file = join(tempDir(), 'in.txt');
    writeFileSync(file, input);
    const result = await fan(['--input', file, ...args], '', { cwd: join(file, '..') });
    expect(result.stderr.replace(file, 'in.txt')).toMatch(OVER);
    expect(result.exitCode).toBe(1);
  });

  it('text read as frames: its first four bytes said as the length they would be', async ({
    expect,
  }) => {
    const result = await fan(['--split', 'frames', '--', 'cat'], 'hello world\n');
    expect(result.stderr).toBe(
      'manifold: stdin:1: frame header says 1.6 GiB, more than the maximum record size 64 MiB: is the input frames? (--max-record raises the limit)\n',
    );
    expect(result.exitCode).toBe(1);
  });

  // A worker's output read as frames is `it`, under every merge: `--merge sorted` asked `is the
  // input frames?` (QA).
  it.for(['ordered', 'sorted'])(
    "a worker's text read as frames (--merge %s): is it frames?",
    async (merge, { expect }) => {
      const args = [
        '-j',
        '2',
        '--per-block',
        '--merge',
        merge,
        '--join',
        'frames',
        '--max-record',
        '1K',
      ];
      const result = await fan([...args, '--', 'cat'], 'a\nb\n');
      expect([result.exitCode, result.stderr]).toEqual([
        1,
        expect.stringMatching(
          /^manifold: worker 1 output of block 1 \(records 1-2\)(:1)?: frame header says 1\.5 GiB, more than the maximum record size 1 KiB: is it frames\? \(--max-record raises the limit\)\n$/,
        ),
      ]);
    },
  );
});
