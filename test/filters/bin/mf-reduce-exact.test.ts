import { expect, it } from 'vitest';
import { bin, run } from '../../helpers.js';
import { outcome } from '../../support/pipeline.js';

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

/** mf-reduce with `args` on `input`: its status, stderr and stdout. */
const reduce = async (args: string[], input: string) =>
  outcome(await run(bin('mf-reduce'), args, input));

it('mf-reduce sums a JSON string of digits past 2^53 exactly', async () => {
  const input = '{"k":"a","n":"9007199254740993"}\n{"k":"a","n":1}\n';
  expect(await reduce(['sum', 'json:n', '--key', 'json:k'], input)).toEqual({
    exitCode: 0,
    stderr: '',
    stdout: 'a\t9007199254740994\n',
  });
});

it.each([
  ['sum', 'k 1e23\nk 0\n', 'k\t1e+23\n'],
  ['mean', 'k 1e23\nk 0\n', 'k\t5e+22\n'],
  ['sum', 'k 1e23\nk 1\n', 'k\t1e+23\n'],
  ['sum', 'k 4e15\nk 5e15\nk 1\n', 'k\t9000000000000001\n'],
])(
  'mf-reduce %s of integers written with an exponent past 2^53 is a double, as awk prints it (it printed the rounded double in all its digits: 99999999999999991611392)',
  async (op, input, out) => {
    expect(await reduce(['--key', 'field:1', op, '2'], input)).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: out,
    });
  },
);

it('mf-reduce stops on a sum past a double’s largest, as on such a value (it printed 309 digits)', async () => {
  expect(await reduce(['--key', 'field:1', 'sum', '2'], 'k 1e308\nk 1e308\n')).toEqual({
    exitCode: 1,
    stderr:
      "mf-reduce: the sum of key k is out of range (past a double's largest, 1.7976931348623157e+308)\n",
    stdout: '',
  });
});

// A sum of doubles that passes a double's largest on the way, or a mean whose sum does: the
// result fits, and is said (QA: `mean` of 1e308 and 1e308 stopped as out of range).
it.each([
  ['mean', 'k 1e308\nk 1e308\n', 'k\t1e+308\n'],
  ['sum', 'k 1e308\nk 1e308\nk -1e308\n', 'k\t1e+308\n'],
  ['mean', 'k 1.5e308\nk 1.5e308\nk 1.5e308\nk 0.5\n', 'k\t1.125e+308\n'],
])(
  'mf-reduce %s of doubles whose sum passes a double’s largest on the way: %j',
  async (op, input, out) => {
    expect(await reduce(['--key', 'field:1', op, '2'], input)).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: out,
    });
  },
);

it.each([
  [['--key', 'json:u', 'count'], '{"u":"b"}\n{"u":"a\\nb"}\n', "stdin:2: key $'a\\nb'"],
  [['--split', 'nul', '--join', 'lines', 'count'], 'x\0y\n\0', "stdin:2: key $'y\\n'"],
])(
  'mf-reduce refuses a key holding the output delimiter, naming its first record (its line read as other keys)',
  async (args, input, where) => {
    expect(await reduce(args, input)).toEqual({
      exitCode: 1,
      stderr: `mf-reduce: ${where} contains the output delimiter $'\\n'; choose another with --join (nul, delim:<string>, frames)\n`,
      stdout: '',
    });
  },
);

it.each([
  ['max', [], 'k 1e3\nk 007\nk 2.50\n', 'k\t1e3\n'],
  ['min', [], 'k 1e3\nk 007\nk 2.50\n', 'k\t2.50\n'],
  // Blanks around a field split on commas are no part of the value written.
  ['max', ['--field-sep', ','], 'k, 12 \nk,3\n', 'k\t12\n'],
  // Past 2^53, digits and a fraction compared as written: the .5, a double of 1e20, is less.
  ['max', [], 'k 99999999999999999999\nk 99999999999999999998.5\n', 'k\t99999999999999999999\n'],
  ['max', [], 'k 99999999999999999998.5\nk 99999999999999999999\n', 'k\t99999999999999999999\n'],
  ['min', [], 'k 99999999999999999999\nk 99999999999999999998.5\n', 'k\t99999999999999999998.5\n'],
  ['min', [], 'k -5\nk -18446744073709551617\nk 3.5\n', 'k\t-18446744073709551617\n'],
])(
  'mf-reduce %s %j prints the value as written, as awk prints a field, and past 2^53 the right one (it printed 1000, 2.5, and 100000000000000000000, a value nobody wrote)',
  async (op, args, input, out) => {
    expect(await reduce([...args, '--key', 'field:1', op, '2'], input)).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: out,
    });
  },
);
