import { describe, expect, it } from 'vitest';
import { expectProblems } from '../support/check.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// YAML merge keys (`<<: *defaults`), as compose files use them, with the anchored map kept
// under a top-level `x-` key that manifold leaves alone: neither is an unknown key ("<<" in
// stages[0].fan, "x-defaults" at the top).

const defaults = [
  'x-fan: &fan',
  '  workers: 1',
  '  worker: "sed s/^/m:/"',
  'x-tag: &tag',
  '  tag: false',
];

describe('merge keys in a config', () => {
  it('a fan takes the merged keys, its own first: it was two unknown keys', async () => {
    const text = [
      ...defaults,
      'stages:',
      '  - name: s',
      '    fan:',
      '      <<: [*fan, *tag]',
      '      workers: 2',
      '      merge: ordered',
      '',
    ].join('\n');
    const result = await runConfig(writeConfig(tempDir('manifold-merge-'), text), 'a\nb\n');
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'm:a\nm:b\n' });
  });

  it('a problem in a merged map is at its line and column where it is written', async () => {
    const text = [
      'x-fan: &fan',
      '  retries: many',
      '  wrkers: 2',
      'stages:',
      '  - name: s',
      '    fan:',
      '      <<: *fan',
      '      worker: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['many', /"retries" must be a whole number/],
      ['wrkers', /unknown key "wrkers" in stages\[0\]\.fan \(did you mean "workers"\?\)/],
    ]);
  });

  it('a merge of what is not a map is a problem at it: it was one at 1:1 about aliases', async () => {
    const text = [
      'x-list: &list [1]',
      'stages:',
      '  - name: s',
      '    fan:',
      '      <<: 3',
      '      worker: cat',
      '  - name: t',
      '    fan:',
      '      <<: [*list]',
      '      worker: cat',
      '',
    ].join('\n');
    const merges =
      /a merge key \(<<\) takes a map, an alias of one \(\*name\), or a list of those$/;
    await expectProblems(text, [
      ['3', merges],
      ['*list]', merges],
    ]);
  });

  it("an empty value merged is said once, where it is written; an x- key's own is left alone", async () => {
    const text = [
      'x-notes:',
      'x-fan: &fan',
      '  retries:',
      'stages:',
      '  - name: s',
      '    fan:',
      '      <<: *fan',
      '      worker: cat',
      '  - name: t',
      '    fan:',
      '      <<: *fan',
      '      worker: cat',
      '',
    ].join('\n');
    await expectProblems(text, [['\nstages', /"retries" has no value: /]]);
  });

  it('a bad size merged into two stages is said once, where it is written: it was twice', async () => {
    const text = [
      'x-fan: &fan',
      '  block: 10X',
      'stages:',
      '  - name: s',
      '    fan: {<<: *fan, worker: cat}',
      '  - name: t',
      '    fan: {<<: *fan, worker: cat}',
      '',
    ].join('\n');
    await expectProblems(text, [['10X', /block 10X is not a size/]]);
  });

  it('a key other than x- at the top is still unknown', async () => {
    await expectProblems('y-fan: 1\nstages:\n  - run: cat\n', [
      ['y-fan', /unknown key "y-fan" at the top/],
    ]);
  });
});
