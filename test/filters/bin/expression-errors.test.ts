import { describe, expect, it } from 'vitest';
import { bin, run } from '../../helpers.js';
import { fan } from '../../support/fan-run.js';

// An expression that does not compile is named in the user's terms: their expression, and what
// is wrong with it, never a ';' or ')' of the code it is wrapped in (mf-map and mf-filter; mf-reduce
// takes no expression). The same line as a process and as a thread of `manifold fan --threads`.

const cases: [expression: string, says: string][] = [
  ['r.foo(', "the expression 'r.foo(' is not valid JavaScript: Unexpected end of input"],
  ['r +', "the expression 'r +' is not valid JavaScript: Unexpected end of input"],
  ['r)', "the expression 'r)' is not valid JavaScript: Unexpected token ')'"],
  ['r; r', "the expression 'r; r' is not valid JavaScript: Unexpected token ';'"],
  ['a b', "the expression 'a b' is not valid JavaScript: Unexpected identifier 'b'"],
  // Text that closes the wrapper's parenthesis and opens another compiled, and ran (`r), (code`).
  [
    'r) + (1',
    "the expression 'r) + (1' is not valid JavaScript: Unexpected token ')' (a ')' with no '(' of its own: one expression only)",
  ],
];

describe.each(['mf-map', 'mf-filter'])('%s: an expression that does not compile', (name) => {
  it.each(cases)('as a process: %s, exit 2', async (expression, says) => {
    const result = await run(bin(name), [expression], 'a\n');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `${name}: ${says} (see '${name} --help')\n`,
    });
  });

  it.each(cases)('as a thread of manifold fan --threads: %s', async (expression, says) => {
    const result = await fan(['--threads', '--', name, expression], 'a\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`${name}: ${says} (see '${name} --help')`);
  });

  it('an expression of several lines is shown in one line', async () => {
    const result = await run(bin(name), ['r +\n'], 'a\n');
    expect(result.stderr).toBe(
      `${name}: the expression "r +\\n" is not valid JavaScript: Unexpected end of input (see '${name} --help')\n`,
    );
  });
});
