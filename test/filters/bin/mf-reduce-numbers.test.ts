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
