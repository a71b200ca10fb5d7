import { expect, it } from 'vitest';
import { bin, run } from '../../helpers.js';

// mf-reduce read a value with JavaScript's Number(): `0x10` summed as 16, `0b1` as 1, `0o7` as
// 7, where awk and strtod read decimal only. Now a value is a decimal number as awk writes one
// (a sign, `5.`, `.5`, an exponent, blanks around it) or the record stops the filter.

it.each([
  ['1e3', 'a\t1000\n'],
  [' 12 ', 'a\t12\n'],
  ['+5', 'a\t5\n'],
  ['.5', 'a\t0.5\n'],
  ['5.', 'a\t5\n'],
  ['-.5e-1', 'a\t-0.05\n'],
  ['1E+2', 'a\t100\n'],
  ['\t+9007199254740993\t', 'a\t9007199254740993\n'],
])('mf-reduce sums %j as awk reads it', async (value, stdout) => {
  const result = await run(
    bin('mf-reduce'),
    ['--field-sep', ',', '--key', 'field:1', 'sum', '2'],
    `a,${value}\n`,
  );
  expect({
    exitCode: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr,
  }).toEqual({
    exitCode: 0,
    stdout,
    stderr: '',
  });
});

it.each([
  ['0x10', 'is not a number: "0x10"'],
  ['0b1', 'is not a number: "0b1"'],
  ['0o7', 'is not a number: "0o7"'],
  ['Infinity', 'is not a number: "Infinity"'],
  ['1_000', 'is not a number: "1_000"'],
  ['12abc', 'is not a number: "12abc"'],
  ['.', 'is not a number: "."'],
  ['1e999', `is out of range (past a double's largest, 1.7976931348623157e+308): "1e999"`],
])('mf-reduce refuses %j with one line naming the field', async (value, problem) => {
  const result = await run(
    bin('mf-reduce'),
    ['--field-sep', ',', '--key', 'field:1', 'sum', '2'],
    `a,1\na,${value}\n`,
  );
  expect({
    exitCode: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr,
  }).toEqual({
    exitCode: 1,
    stdout: '',
    stderr: `mf-reduce: stdin:2: field 2 ${problem}\n`,
  });
});

it('mf-reduce refuses a JSON string "0x10" as a json: value', async () => {
  const result = await run(
    bin('mf-reduce'),
    ['--key', 'json:k', 'sum', 'json:v'],
    '{"k":"a","v":"0x10"}\n',
  );
  expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
    exitCode: 1,
    stderr: 'mf-reduce: stdin:1: json:v is not a number: "0x10"\n',
  });
});

// The mean of whole numbers past 2^53 that is not whole was its whole part made a double, then
// its fraction added: rounded twice (9007199254740993 and ...994 gave ...992, not ...994). Each
// key's mean against Python's float(Fraction(sum, count)), rounded once, over random sums.
it("mf-reduce's mean of big whole numbers is the double nearest the exact mean", async () => {
  let seed = 20261207;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  const rows: string[] = [];
  for (let key = 0; key < 300; key++) {
    const count = 2 + (next() % 5);
    for (let i = 0; i < count; i++) {
      const digits = 16 + (next() % 8);
      let value = String(1 + (next() % 9));
      while (value.length < digits) value += String(next() % 10);
      rows.push(`k${String(key).padStart(3, '0')},${next() % 4 === 0 ? '-' : ''}${value}`);
    }
  }
  // Means half-way between integers past 2^53 (doubles 2 apart there): where rounding twice
  // goes the wrong way, as QA found it with 9007199254740993 and ...994.
  for (let m = 0n; m < 8n; m++) {
    const base = 2n ** 53n + 2n * m;
    rows.push(`t${m},${base + 1n}`, `t${m},${base + 2n}`);
  }
  const input = `${rows.join('\n')}\n`;
  const reduced = await run(
    bin('mf-reduce'),
    ['--field-sep', ',', '--key', 'field:1', 'mean', '2'],
    input,
  );
  const reference = await run(
    '/usr/bin/python3',
    [
      '-c',
      [
        'import sys',
        'from fractions import Fraction',
        'groups = {}',
        'for line in sys.stdin.read().split():',
        '    k, v = line.split(",")',
        '    groups.setdefault(k, []).append(int(v))',
        'for k in sorted(groups):',
        '    s, n = sum(groups[k]), len(groups[k])',
        '    print(k + "\\t" + (str(s // n) if s % n == 0 else repr(float(Fraction(s, n)))))',
      ].join('\n'),
    ],
    input,
  );
  // Python writes 1.5e+16 where JavaScript writes 15000000000000000: compared as numbers.
  const means = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => {
        const [key, mean] = line.split('\t');
        return `${key} ${/^-?\d+$/.test(mean!) ? BigInt(mean!) : Number(mean)}`;
      });
  expect(reduced.stderr).toBe('');
  expect(means(reduced.stdout.toString())).toEqual(means(reference.stdout.toString()));
});
