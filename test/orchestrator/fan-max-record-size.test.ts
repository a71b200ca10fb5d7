import { describe, it } from 'vitest';
import { bin, run } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { fileWith } from '../support/temp.js';

// A record just over --max-record was said to be the limit's size: `larger than the maximum
// record size 2 MiB (2.0 MiB)`, the size seen rounded to one decimal. Where rounding would show
// it as the limit, it is now said as the limit and what is over it: `(2 MiB + 1 B)`.

const MIB = 1024 * 1024;
/** What a message says was seen, beside the limit `2 MiB`. */
const seen = (stderr: string) =>
  stderr.match(/maximum record size [^(]+\((.*?)(?: so far)?\)/)?.[1];

describe('a record just over --max-record 2M', () => {
  const record = `${'x'.repeat(2 * MIB + 1)}\n`;
  const file = fileWith('manifold-fan-max-record-size-', record);

  it('in the input, from a file or a pipe: said as over the limit, not 2.0 MiB', async ({
    expect,
  }) => {
    for (const piped of [false, true]) {
      const input = piped ? ['--input', '-'] : ['--input', file];
      const result = await fan(['--max-record', '2M', ...input, '--', 'cat'], piped ? record : '');
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        /(:1|: byte 1): record is larger than the maximum record size 2 MiB \(2 MiB \+ \d+ B( so far)?\); raise it with --max-record\n$/,
      );
    }
  });

  it("in a worker's output: said as over the limit", async ({ expect }) => {
    const result = await fan(
      [
        '--max-record',
        '2M',
        '--shell',
        '--',
        'cat >/dev/null; head -c 2097200 /dev/zero | tr "\\0" y; echo',
      ],
      'a\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: worker \d output: record is larger than the maximum record size 2 MiB \(2 MiB \+ \d+ B so far\); raise it with --max-record\n$/,
    );
  });

  it('a frame header announcing it (mf-unframe): said as over the limit', async ({ expect }) => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(2 * MIB + 1);
    const frames = Buffer.concat([header, Buffer.alloc(16)]);
    const result = await run(bin('mf-unframe'), ['--max-record', '2M'], frames);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /frame header says 2 MiB \+ 1 B, more than the maximum record size 2 MiB/,
    );
  });

  it('well over it: one decimal, as before', async ({ expect }) => {
    const result = await fan(['--max-record', '1K', '--', 'cat'], `${'z'.repeat(3000)}\n`);
    expect(result.exitCode).toBe(1);
    expect(seen(result.stderr)).toBe('2.9 KiB');
  });
});
