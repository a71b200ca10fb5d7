import { expect, it } from 'vitest';
import { bin, run } from '../../helpers.js';

// A record without the value field (or json: path) says that the field is missing or empty,
// not `field 2 is not a number: ""`, as if the record had an empty string there.

it.each([
  [
    ['--key', 'field:1', 'sum', '2'],
    'a 1\nb\n',
    'mf-reduce: stdin:2: field 2 is missing or empty\n',
  ],
  [
    ['--key', 'field:1', '--field-sep', 'tab', 'sum', '2'],
    'a\t1\nb\t\n',
    'mf-reduce: stdin:2: field 2 is missing or empty\n',
  ],
  [
    ['--key', 'json:k', 'sum', 'json:v'],
    '{"k":"a","v":1}\n{"k":"b"}\n',
    'mf-reduce: stdin:2: json:v is missing or empty\n',
  ],
  [['--key', 'field:1', 'sum', '2'], 'a x\n', 'mf-reduce: stdin:1: field 2 is not a number: "x"\n'],
])('mf-reduce %j: one line naming the field', async (args, input, stderr) => {
  const result = await run(bin('mf-reduce'), args, input);
  expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 1, stderr });
});
