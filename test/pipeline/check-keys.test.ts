import { describe, it } from 'vitest';
import { expectProblems } from '../support/check.js';

// A config's keys are names. YAML reads some plain keys as another kind: `null:`, `~:` and an
// empty key as null, which became the key "" (`unknown key "" at the top`, or `a name in "env"
// ("") may not be empty`); `True:` as true, made "true"; a list or map as a key, its text (an
// environment variable named `{ a: 1 }`, checked clean). Each is said at the key.

describe('a key that YAML reads as no name', () => {
  it('is a problem at it: null, ~, empty, true, a list, a map, an alias of null', async () => {
    const text = [
      'null: 1', // 1
      'x-a: &n ~', // 2
      'stages:', // 3
      '  - run: cat', // 4
      '    env: {~: a, True: b, OK: c, 1: d}', // 5
      '  - run: cat', // 6
      '    env:', // 7
      '      [A]: a', // 8
      '      ? {B: 1}', // 9
      '      : b', // 10
      '      *n : c', // 11
      '      "null": d', // 12
      '  - branches: {: [{run: cat}]}', // 13
      '',
    ].join('\n');
    await expectProblems(text, [
      ['null', /key null is not a name: YAML reads it as null \(quote it, "null", if it is one\)$/],
      ['~:', /key ~ is not a name: YAML reads it as null \(quote it, "~", if it is one\)$/],
      ['True', /key True is not a name: YAML reads it as true \(quote it, "True", if it is one\)$/],
      [
        '[A]',
        /key \[A\] is not a name: YAML reads it as a list \(quote it, "\[A\]", if it is one\)$/,
      ],
      [
        '{B',
        /key \{B: 1\} is not a name: YAML reads it as a map \(quote it, "\{B: 1\}", if it is one\)$/,
      ],
      ['*n', /key \*n is not a name: YAML reads it as null$/],
      [': [{', /an empty key is not a name: write the name before its ":"$/],
    ]);
  });
});
