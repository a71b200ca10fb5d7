import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { assertSaysWell, saidWrongly } from '../support/bad-input.js';
import { checkSaidHere } from '../support/check.js';
import { makeDir } from '../support/temp.js';

// `manifold run` given bad configs drawn at random: wrong types, unknown keys, bad commands,
// cycles and empty pipelines, tabs and broken indentation, YAML or JSON. Whatever is drawn, the
// run exits 0 (the config was good after all) or 2, each problem a line `<file>:<line>:<column>:
// ...`, with no stack trace; check-problems checks chosen problems' exact words and places.

/** Each key's values: good ones, and ones it refuses. */
const input = ['in.txt', 'nope.txt', 3, [], '', '/', 'in\ntxt', ['in.txt', 'in.txt']];
const output = ['out.txt', '/', 'nope/out.txt', '', 7];
const command = [
  'cat',
  'tr a-z A-Z',
  ['cat'],
  ['tr', 'a-z', 'A-Z'],
  'no-such-program-xyz',
  ['no-such-program-xyz'],
  [],
  '',
  '  ',
  [''],
  [1, 2],
  { program: 'cat' },
  'cat\0',
  null,
];
const fanKeys: Record<string, unknown[]> = {
  workers: [2, 'many', 0, 5000, '2', [1], '1\n2', -1, 1.5],
  split: ['lines', 'bogus', 'fixed:0', 3, 'delim:'],
  block: ['1M', 'x', true, 0],
  merge: ['ordered', 'unordered', 3],
  dispatch: ['round-robin', 'random'],
  key: ['field:0', 'json:', 'field:1'],
  retries: [1, -1, 'x'],
  halt: ['now', 'later', ['now']],
  'ok-status': ['0,1', 'x', 256],
  timeout: ['5m', -1, 'x'],
  header: [1, 'x', -1],
  tag: [true, 'yes'],
  wrkers: [2],
  attribution: ['per-block', 'sideways'],
};

const fanStage = fc
  .record({
    worker: fc.constantFrom(...command),
    extra: fc.array(
      fc
        .constantFrom(...Object.keys(fanKeys))
        .chain((key) => fc.constantFrom(...fanKeys[key]!).map((value) => [key, value] as const)),
      { maxLength: 3 },
    ),
  })
  .map(({ worker, extra }) => ({ fan: { worker, ...Object.fromEntries(extra) } }));

const stage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...command).map((run) => ({ run })) },
  { weight: 3, arbitrary: fanStage },
  { weight: 1, arbitrary: fc.constantFrom('p', 'q', 'nope').map((use) => ({ use })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      {},
      { rn: 'cat' },
      { run: 'cat', fan: { worker: 'cat' } },
      'cat',
      3,
      null,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { branches: {} },
      { branches: { a: [] } },
      { branches: [{ run: 'cat' }] },
    ),
  },
);

const configs = fc.record(
  {
    input: fc.constantFrom(...input),
    output: fc.constantFrom(...output),
    env: fc.constantFrom({ LC_ALL: 'C' }, [1], { A: [1] }, { '': 'x' }, { 'A=B': 'x' }),
    // p and q use each other (a cycle) or stand alone; an empty pipeline.
    pipelines: fc.constantFrom(
      { p: [{ run: 'cat' }] },
      { p: [{ use: 'q' }], q: [{ use: 'p' }] },
      { p: [] },
      { p: [{ use: 'p' }] },
    ),
    stages: fc.oneof(
      fc.array(stage, { minLength: 1, maxLength: 3 }),
      fc.constantFrom([], {}, 'cat'),
    ),
    stges: fc.constant([{ run: 'cat' }]),
  },
  { requiredKeys: ['stages'] },
);

/** What is done to the config's text after it is written: nothing, a tab, a shifted line... */
const mangling = fc.constantFrom('none', 'json', 'tab', 'indent', 'dedent', 'colon', 'quote');

function textOf(config: unknown, how: string, line: number): { text: string; name: string } {
  if (how === 'json') return { text: JSON.stringify(config, null, 2), name: 'pipeline.json' };
  // Flow style for the leaves, block style above: lines a mangling can break.
  const lines = toYaml(config, '').split('\n');
  const i = line % lines.length;
  const at = lines[i]!;
  if (how === 'tab') lines[i] = `\t${at}`;
  if (how === 'indent') lines[i] = ` ${at}`;
  if (how === 'dedent') lines[i] = at.replace(/^ /, '');
  if (how === 'colon') lines[i] = at.replace(':', '');
  if (how === 'quote') lines[i] = `${at} "`;
  return { text: `${lines.join('\n')}\n`, name: 'pipeline.yaml' };
}

function toYaml(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object' || Object.keys(value).length === 0)
    return JSON.stringify(value);
  if (Array.isArray(value))
    return value.map((item) => `\n${indent}- ${toYaml(item, `${indent}  `).trimStart()}`).join('');
  return Object.entries(value)
    .map(([key, item]) => `\n${indent}${JSON.stringify(key)}: ${toYaml(item, `${indent}  `)}`)
    .join('')
    .replace(/^\n/, indent === '' ? '' : '\n');
}

interface Case {
  config: unknown;
  how: string;
  line: number;
}

const cases: fc.Arbitrary<Case> = fc.record({ config: configs, how: mangling, line: fc.nat(40) });

/** Configs whose problems were once said wrongly (a line break in a value), run first. */
const BROKEN: Case[] = [
  { config: { stages: [{ fan: { worker: 'cat', workers: '1\n2' } }] }, how: 'none', line: 0 },
];

describe('manifold run, given bad configs', () => {
  it('exits 0 or 2, each problem one line at its line:column, no stack', {
    timeout: 180_000,
  }, async () => {
    await assertSaysWell(
      cases,
      async ({ config, how, line }) => {
        const { dir, remove } = makeDir('manifold-bad-config-');
        try {
          writeFileSync(join(dir, 'in.txt'), 'a\nb\n');
          const { text, name } = textOf(config, how, line);
          const file = join(dir, name);
          writeFileSync(file, text);
          const result = await run(manifold, ['run', file], '', { cwd: dir });
          const problems = saidWrongly(result, [0, 2], new RegExp(`^${file}:\\d+:\\d+: \\S`));
          // What the suites that check configs in their own process take for the executable's
          // words (support/check.ts): a config `check` refuses, `run` refuses alike.
          const said = await checkSaidHere(file);
          const here = { ...said, stdout: said.stdout.toString() };
          const there = { ...result, stdout: result.stdout.toString() };
          if (here.exitCode !== 0 && !isDeepStrictEqual(here, there))
            problems.push(
              `checked in-process as ${JSON.stringify(here)}, run as ${JSON.stringify(there)}`,
            );
          return problems;
        } finally {
          remove();
        }
      },
      {
        offset: 502,
        numRuns: 40,
        examples: BROKEN,
        show: ({ config, how, line }) =>
          `manifold run <<'EOF'\n${textOf(config, how, line).text}EOF`,
      },
    );
  });
});
