import { expect, it } from 'vitest';
import { bin, run } from '../../helpers.js';

// A record without the key field (fewer fields, a json: path it lacks) is grouped under the
// empty key, as awk's `c[$2]++` counts it: its line starts with the TAB (docs/binaries.md).

it.each([
  [['--key', 'json:b', 'count'], '{"a":1}\n{"b":"x","a":2}\n{"a":3}\n', '\t2\nx\t1\n'],
  [['--key', 'json:b', 'sum', 'json:a'], '{"a":1}\n{"b":"x","a":2}\n{"a":3}\n', '\t4\nx\t2\n'],
  [['--key', 'field:2', 'count'], 'a 1\nb\nc 1\n', '\t1\n1\t2\n'],
  [['--key', 'field:2', '--field-sep', ',', 'count'], 'a,\nb\nc,1\n', '\t2\n1\t1\n'],
])(
  'mf-reduce %j: records without the key count under the empty key',
  async (args, input, stdout) => {
    const result = await run(bin('mf-reduce'), args, input);
    expect({
      exitCode: result.exitCode,
      stderr: result.stderr,
      stdout: result.stdout.toString(),
    }).toEqual({
      exitCode: 0,
      stderr: '',
      stdout,
    });
  },
);
