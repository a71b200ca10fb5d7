import { describe, it } from 'vitest';
import { expectProblems } from '../support/check.js';

// A key written with nothing after it (`retries:`), or `~` or `null`, has no value: YAML reads
// it as null, which the schema's coercion made 0, "" or false without a word (`retries:` ran
// with none, `tag:` untagged). Each is a problem where its value would stand.

const empty = /"[^"]+" has no value: write one \("" for an empty string\), or leave the key out$/;

describe('an empty value is a problem at its place, of every kind of key', () => {
  it('numbers, booleans and strings of a fan: they were 0, false and ""', async () => {
    const text = [
      'stages:',
      '  - name: s',
      '    fan:',
      '      retries:',
      '      workers: ~',
      '      tag:',
      '      numeric: null',
      '      block:',
      '      worker: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['\n      workers', /"retries" has no value: /],
      ['~', /"workers" has no value: /],
      ['\n      numeric', /"tag" has no value: /],
      ['null', /"numeric" has no value: /],
      ['\n      worker:', empty],
    ]);
  });

  it("a list's item, a variable of env, and a key at the top", async () => {
    const text = [
      'output:',
      'env:',
      '  LANG:',
      'input:',
      '  - present.js',
      '  -',
      'stages:',
      '  - run: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['\nenv', /"output" has no value: /],
      ['\ninput', /"LANG" has no value: /],
      ['\nstages', /input\[1\] has no value: /],
    ]);
  });

  it('an empty config, or one of comments, is not a map: it was said to have no value', async () => {
    await expectProblems('# nothing yet\n', [['#', /the config must be a map$/]]);
  });
});
