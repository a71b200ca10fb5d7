import { expect, it } from 'vitest';
import { bin, run } from '../../helpers.js';

// Integers are summed exactly, however large: a sum past 2^53 was a double's, rounded without a
// word (9007199254740992 + 1 printed 9007199254740992). An integer given in digits past 2^53 is
// read exactly too, for min, max and mean; a value with a fraction makes the sum a double, as
// awk's (docs/binaries.md). One key per case, one run per operation.

const input = [
  'past 9007199254740992',
  'past 1',
  'passes 4503599627370497',
  'passes 4503599627370497',
  'passes 1',
  'negative -9007199254740993',
  'negative -1',
  'huge 18446744073709551616',
  'huge 18446744073709551616',
  'huge 1',
  'fraction 9007199254740993',
  'fraction 0.5',
  'small 1.5',
  'small 2',
  'twice 9007199254740993',
  'twice 9007199254740993',
  '',
].join('\n');

it.each([
  [
    'sum',
    [
      'fraction\t9007199254740992', // a double, as in awk
      'huge\t36893488147419103233',
      'negative\t-9007199254740994',
      'passes\t9007199254740995',
      'past\t9007199254740993',
      'small\t3.5',
      'twice\t18014398509481986',
    ],
  ],
  ['max', ['huge\t18446744073709551616', 'negative\t-1', 'twice\t9007199254740993']],
  ['min', ['huge\t1', 'negative\t-9007199254740993', 'twice\t9007199254740993']],
  ['mean', ['passes\t3002399751580331.5', 'small\t1.75', 'twice\t9007199254740993']],
])('mf-reduce %s is exact for integers past 2^53', async (op, lines) => {
  const result = await run(bin('mf-reduce'), ['--key', 'field:1', op, '2'], input);
  expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: '' });
  const got = new Map(
    result.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => l.split('\t') as [string, string]),
  );
  for (const line of lines) {
    const key = line.split('\t')[0]!;
    expect(`${key}\t${got.get(key)}`).toBe(line);
  }
});

it('mf-reduce sums a JSON string of digits past 2^53 exactly', async () => {
  const result = await run(
    bin('mf-reduce'),
    ['sum', 'json:n', '--key', 'json:k'],
    '{"k":"a","n":"9007199254740993"}\n{"k":"a","n":1}\n',
  );
  expect({
    exitCode: result.exitCode,
    stderr: result.stderr,
    stdout: result.stdout.toString(),
  }).toEqual({ exitCode: 0, stderr: '', stdout: 'a\t9007199254740994\n' });
});
