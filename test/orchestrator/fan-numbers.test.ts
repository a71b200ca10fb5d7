import { describe, it } from 'vitest';
import { fan } from '../support/fan-run.js';
import { oneLine } from '../support/lines.js';

// Every number `manifold fan --help` documents is written in decimal digits, with a fraction
// or a unit only where its help shows one. JavaScript's Number() takes far more: `--retries 1e3`
// ran 1000 retries, `-j 0x10` 16 workers, `--retries ''` none, `--block ' 3'` 3 bytes.

/** Values no option's help documents: an exponent, a radix, a sign, blanks, nothing. */
const NO_NUMBER = ['1e3', '0x10', '0b1', '+3', '-1', ' 3', '3 ', '', 'Infinity'];

/** Each numeric option, the words that set it to `value`, and how its message names it. */
const OPTIONS: [string, (value: string) => string[], string[]][] = [
  ['-j', (v) => ['-j', v], [...NO_NUMBER, '1.5']],
  ['--retries', (v) => ['--retries', v], [...NO_NUMBER, '1.5']],
  ['--header', (v) => ['--header', v], [...NO_NUMBER, '1.5']],
  ['--block', (v) => ['--block', v], [...NO_NUMBER, '1.5', '1e3K']],
  ['--merge-memory', (v) => ['--merge-memory', v], NO_NUMBER],
  ['--max-record', (v) => ['--max-record', v], NO_NUMBER],
  ['--thread-heap', (v) => ['--threads', '--thread-heap', v], NO_NUMBER],
  ['--split', (v) => ['--split', `fixed:${v}`], NO_NUMBER],
  ['--timeout', (v) => ['--timeout', v], [...NO_NUMBER, '1e3s', '1 s']],
  ['--host-timeout', (v) => ['--host', ':', '--host-timeout', v], [...NO_NUMBER, '1e3s']],
  ['--halt', (v) => ['--halt', `soon,fail=${v}`], NO_NUMBER],
  ['--ok-status', (v) => ['--ok-status', v], [...NO_NUMBER, '0, 1', '1.5']],
  // A host's slots are -j's, at most 4096: ':/99999' started local workers until memory ran out.
  ['--host', (v) => ['--host', `:/${v}`], ['4097', '99999', '1e3', '0x10', ' 3']],
  ['--host', (v) => ['--host', `h1/${v}`], ['4097']],
];

const cases = OPTIONS.flatMap(([option, words, values]) =>
  values.map((value) => [option, value, words(value)] as const),
);

describe.concurrent('numbers written as no help documents them', () => {
  it.for(cases)(
    '%s %j is exit 2, one line naming both',
    async ([option, value, args], { expect }) => {
      const command = option === '--thread-heap' ? ['mf-map', 'r'] : ['cat'];
      // manifold boots its process starters (python3, up to 8) before it parses the words, and
      // -j is read by that boot too: -j's values go that way; the rest are refused the same
      // without the starters, whose start is most of the cost of a usage error.
      const env = option === '-j' ? {} : { MANIFOLD_STARTER: 'spawn' };
      const result = await fan([...args, '--', ...command], 'a\n', { env });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(oneLine);
      expect(result.stderr).toContain(option);
      // The option's word whole, in quotes: "1e3", "soon,fail=1e3", or ' 3' as --host-timeout has it.
      const word = args.at(-1)!;
      expect(word).toContain(value);
      expect([`"${word}"`, `'${word}'`].some((quoted) => result.stderr.includes(quoted))).toBe(
        true,
      );
      expect(result.stdout.length).toBe(0);
    },
  );
});

describe.concurrent('numbers as the help documents them', () => {
  const good: string[][] = [
    ['-j', '03'],
    ['--retries', '2', '--halt', 'soon,fail=50%'],
    ['--block', '1.5K'],
    ['--timeout', '2.5'],
    ['--timeout', '300ms'],
    ['--host', ':', '--host-timeout', '1.5'],
    ['--ok-status', '0,1'],
    ['--header', '0'],
  ];
  it.for(good)('%j runs', async (args, { expect }) => {
    const result = await fan([...args, '--', 'cat'], 'a\n');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(result.stdout.toString()).toBe('a\n');
  });
});
