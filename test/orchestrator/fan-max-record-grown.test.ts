import { describe, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fileWith } from '../support/temp.js';

// Blocks that grow by themselves (workers that stay, fed from a file: 4 MiB; per-block workers:
// up to 16 or 64 MiB) grew past --max-record: a record over the limit inside such a block was
// never measured (only one that spans a block's end is), so it passed unseen, exit 0, through a
// worker that shortens it (`cut`). Blocks now grow to --max-record at most (block-size.ts).

const LINES = 200_000;
const line = (n: number) => `${String(n).padStart(12, '0')} ${'w'.repeat(86)}\n`;
const half = (from: number) => Array.from({ length: LINES }, (_, i) => line(from + i)).join('');
/** 20 MB of lines, a record of 3 MiB (record 200001), 20 MB of lines. */
const content = `${half(1)}${'x'.repeat(3 * 1024 * 1024)}\n${half(LINES + 2)}`;
const TOO_LARGE = /:200001: record is larger than the maximum record size 2 MiB \(/;

describe.concurrent('a record over --max-record inside a block that grew', () => {
  const file = fileWith('manifold-fan-max-record-grown-', content);
  const cases: [string, string[], boolean][] = [
    ['workers that stay, from a file', [], false],
    ['per-block workers, from a file', ['--merge', 'ordered'], false],
    ['per-block workers, from a pipe', ['--merge', 'ordered'], true],
  ];
  for (const [name, args, piped] of cases) {
    it(`${name}: is refused, exit 1, naming it`, async ({ expect }) => {
      const fan = (limit: string) =>
        run(
          manifold,
          [
            'fan',
            '-j',
            '2',
            '--max-record',
            limit,
            ...args,
            ...(piped ? [] : ['--input', file]),
            '--',
            'cut',
            '-c1-12',
          ],
          piped ? content : '',
        );
      const refused = await fan('2M');
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(TOO_LARGE);
      expect(refused.stderr.split('\n').filter((text) => text !== '')).toHaveLength(1);
      // Under a limit it fits, the same run gives every record.
      const taken = await fan('4M');
      expect(taken.stderr).toBe('');
      expect(taken.exitCode).toBe(0);
      expect(taken.stdout.toString().split('\n')).toHaveLength(2 * LINES + 2);
    });
  }
});
