import fc from 'fast-check';
import { describe, it } from 'vitest';
import { bin, run } from '../../helpers.js';
import { assertSaysWell, saidWrongly, shellLine } from '../../support/bad-input.js';

// The mf-* filters given bad arguments and bad input drawn at random: framings and sizes that
// are no such thing, expressions that do not compile or that throw, invalid JSON under ndjson,
// a frame whose length runs past the input. Whatever is drawn, a filter exits 0, 1 (a record
// failed) or 2 (usage), and, failing, says so in one line `<name>: ...`, with no stack trace.

const FILTERS = {
  'mf-map': [['r'], ['r.x.y'], ['('], ['throw'], ['JSON.parse(r)'], ['r.toUpperCase()']],
  'mf-filter': [['r.length > 1'], ['r.x.y'], [')'], ['null.x']],
  'mf-reduce': [['count'], ['sum', '1'], ['sum', 'x'], ['bogus'], ['mean', 'json:a'], []],
  'mf-frame': [[], ['extra']],
  'mf-unframe': [[], ['extra']],
} as const;

const options: fc.Arbitrary<string[]> = fc.constantFrom<string[]>(
  [],
  ['--json'],
  ['--split', 'ndjson'],
  ['--split', 'frames'],
  ['--split', 'fixed:3'],
  ['--split', 'bogus'],
  ['--split', 'fixed:0'],
  ['--split', 'delim:'],
  ['--split', 'lines\n'],
  ['--join', 'frames'],
  ['--join', 'bogus'],
  ['--max-record', '4'],
  ['--max-record', 'x'],
  ['--key', 'field:0'],
  ['--key', 'json:a'],
  ['--bogus'],
  ['--json=1'],
);

const frame = (body: string, length = body.length) => {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(length);
  return Buffer.concat([head, Buffer.from(body)]).toString('latin1');
};

/** Inputs, as latin1 text: lines, JSON and not, frames whole, cut short or claiming too much. */
const piece = fc.constantFrom(
  'a\n',
  'hello world\n',
  '{"a":1}\n',
  '{"a":"x"}\n',
  '{bad\n',
  '[1,2]\n',
  '\n',
  '\xff\xfe\n',
  frame('ab'),
  frame('ab', 16),
  frame('', 0xffffffff),
  '\x00\x00',
  'no end',
);

const cases = fc.record({
  filter: fc.constantFrom(...(Object.keys(FILTERS) as (keyof typeof FILTERS)[])),
  which: fc.nat(5),
  options: fc.array(options, { maxLength: 2 }),
  input: fc.array(piece, { maxLength: 5 }).map((pieces) => pieces.join('')),
});

type Case = { filter: keyof typeof FILTERS; which: number; options: readonly string[][] };

const argsOf = (c: Case) => {
  const choices = FILTERS[c.filter];
  return [...c.options.flat(), ...choices[c.which % choices.length]!];
};

describe('mf-* filters, given bad arguments and bad input', () => {
  it('exit 0, 1 or 2, saying why in one line, no stack', { timeout: 180_000 }, async () => {
    await assertSaysWell(
      cases,
      async (c) => {
        const result = await run(bin(c.filter), argsOf(c), Buffer.from(c.input, 'latin1'));
        return saidWrongly(result, [0, 1, 2], new RegExp(`^${c.filter}: \\S`));
      },
      {
        offset: 503,
        numRuns: 40,
        show: (c) =>
          `${c.filter} ${shellLine(argsOf(c))}, its input (latin1) ${JSON.stringify(c.input)}`,
      },
    );
  });
});
