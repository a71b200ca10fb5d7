import { describe, it } from 'vitest';
import { bin } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { fileWith } from '../support/temp.js';

// Under --header N, messages name records as `FILE:RECORD` and blocks as `(records A-B)`, and a
// per-block worker is told MANIFOLD_FIRST_RECORD. They counted the records after the header
// (block 1 began at record 1), so `FILE:11` was line 12 of the file, and `sed -n 11p` showed
// the record before the one named. Records are now numbered as the input's lines are, the
// header's included (block 1 begins at record N+1), in every mode.

const line = (n: number) => `${String(n).padStart(15, '0')}\n`;
/** A header line, lines 2-11, a record of 3000 bytes at line 12, lines 13-20. */
const withLong = `id\n${[2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(line).join('')}${'x'.repeat(3000)}\n${[13, 14, 15, 16, 17, 18, 19, 20].map(line).join('')}`;

describe('record numbers under --header 1: the lines of the input, the header counted', () => {
  const file = fileWith('manifold-fan-header-records-', withLong);
  const modes: [string, string[]][] = [
    ['workers that stay', []],
    ['per-block workers', ['--merge', 'ordered']],
    ['--one-to-one', ['--merge', 'ordered', '--one-to-one']],
    ['--dispatch hash', ['--dispatch', 'hash']],
    ['--dispatch hash --key field:1', ['--dispatch', 'hash', '--key', 'field:1']],
    ['--split ndjson', ['--split', 'ndjson']],
  ];
  for (const [name, args] of modes) {
    for (const piped of [false, true]) {
      it(`${name}, from ${piped ? 'a pipe' : 'a file'}: a record over --max-record is named by its line`, async ({
        expect,
      }) => {
        const input = piped ? ['--input', '-'] : ['--input', file];
        const result = await fan(
          ['-j', '2', '--header', '1', '--max-record', '1K', ...args, ...input, '--', 'cat'],
          piped ? withLong : '',
        );
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toMatch(
          new RegExp(
            `^manifold: ${piped ? 'stdin' : file}:12: record is larger than the maximum record size 1 KiB`,
          ),
        );
      });
    }
  }

  it('a failed block is named by the lines it holds', async ({ expect }) => {
    const result = await fan(
      ['-j', '2', '--header', '1', '--merge', 'ordered', '--shell', '--', 'exit 3'],
      'id\na\nb\nc\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/exited with status 3 on block 1 \(records 2-4\)/);
  });

  it("MANIFOLD_FIRST_RECORD is the line of the block's first record", async ({ expect }) => {
    const lines = `id\n${Array.from({ length: 400 }, (_, i) => line(i + 2)).join('')}`;
    const result = await fan(
      ['-j', '2', '--header', '1', '--block', '1K', '--merge', 'ordered', '--shell', '--'].concat(
        'sed -n 2p | tr -d "\\n"; echo " $MANIFOLD_FIRST_RECORD"',
      ),
      lines,
    );
    expect(result.stderr).toBe('');
    const told = result.stdout.toString().trim().split('\n');
    expect(told.length).toBeGreaterThan(3);
    // The first record's own text is its line number in the input.
    for (const pair of told) {
      const [first, number] = pair.split(' ');
      expect(Number(first)).toBe(Number(number));
    }
  });
});

// A --protocol filter (or a thread) is told each block's first record: block 1's records were
// numbered with the header counted (2, 3, ...), later blocks' without it, so record numbers
// repeated across a block's edge (line 1042 was record 1041, as was line 1041).
describe('SDK filters under --header 1 number records as the input lines', () => {
  for (const attribution of ['--protocol', '--threads']) {
    it(`${attribution}: each record's n is its line`, async ({ expect }) => {
      const lines = `id\n${Array.from({ length: 1999 }, (_, i) => `${i + 2}\n`).join('')}`;
      const args = attribution === '--protocol' ? ['--protocol', 'manifold'] : ['--threads'];
      const result = await fan(
        ['-j', '2', '--header', '1', '--block', '4K', '--merge', 'ordered', ...args, '--'].concat(
          'node',
          bin('mf-map'),
          'n + " " + r',
        ),
        lines,
      );
      expect(result.stderr).toBe('');
      const numbered = result.stdout
        .toString()
        .split('\n')
        .filter((text) => text !== '' && !text.endsWith(' id'));
      expect(numbered).toHaveLength(1999);
      expect(numbered.filter((text) => text.split(' ')[0] !== text.split(' ')[1])).toEqual([]);
    });
  }
});

// The header's records were not measured: one over --max-record was taken (a 3000-byte header
// line under --max-record 1K), and a header line that never ended was held whole, the input's
// every byte (200 MB of input without a newline: 448 MB of RSS), before the record was refused.
describe('a header record over --max-record', () => {
  const TOO_LARGE =
    /^manifold: stdin:1: record is larger than the maximum record size 1 MiB \((.*?)( so far)?\); raise it with --max-record\n$/;

  it('ended: refused as any record is', async ({ expect }) => {
    const result = await fan(
      ['--header', '1', '--max-record', '1M', '--', 'cat'],
      `${'h'.repeat(1024 * 1024 + 10)}\n1\n2\n`,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(TOO_LARGE);
    expect(result.stdout.toString()).toBe('');
  });

  it('never ended: refused once it is over the limit, not held whole', async ({ expect }) => {
    const result = await fan(
      ['--header', '1', '--max-record', '1M', '--', 'cat'],
      'h'.repeat(20_000_000),
    );
    expect(result.exitCode).toBe(1);
    const said = result.stderr.match(TOO_LARGE);
    expect(said, result.stderr).not.toBeNull();
    // Within a read (at most a MiB) of the limit and its newline, not the 19.1 MiB of the whole
    // input: 1 MiB and a byte held, a MiB read, is 2 MiB and a byte, said "2.0 MiB".
    expect(said![1]).toMatch(/^(1 MiB \+ .*|1\.\d MiB|2 MiB|2\.0 MiB)$/);
  });
});
