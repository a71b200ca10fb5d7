import { describe, expect, it } from 'vitest';
import { check, expectProblems, tempDir } from '../support/check.js';
import { writeConfig } from '../support/temp.js';

// `use:` between `pipelines:`: every cycle is a problem, at the `use:` that closes it, whether
// or not a stage uses the pipelines it goes through.

describe('use: cycles in pipelines', () => {
  it('are reported in pipelines no stage uses: they were not, exit 0', async () => {
    const text = [
      'pipelines:',
      '  loop:',
      '    - use: loop',
      '  ping:',
      '    - use: pong',
      '  pong:',
      '    - run: cat',
      '    - use: ping',
      '  fork:',
      '    - branches:',
      '        a:',
      '          - use: fork',
      '        b:',
      '          - run: cat',
      'stages:',
      '  - run: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['loop\n  ping', /a cycle: loop → loop$/],
      ['ping\n  fork', /a cycle: ping → pong → ping$/],
      ['fork\n        b', /a cycle: fork → fork$/],
    ]);
  });

  it('a use: of no pipeline inside an unused pipeline is reported too', async () => {
    const text = 'pipelines:\n  spare:\n    - use: nowhere\nstages:\n  - run: cat\n';
    await expectProblems(text, [['nowhere', /no pipeline named "nowhere" under pipelines/]]);
  });

  it('a cycle that a stage uses, and one beside it that none uses, each once', async () => {
    const text = [
      'pipelines:',
      '  used:',
      '    - use: used',
      '  unused:',
      '    - use: unused',
      'stages:',
      '  - use: used',
      '  - use: used',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['used\n  unused', /a cycle: used → used$/],
      ['unused\nstages', /a cycle: unused → unused$/],
    ]);
  });
});

describe('a pipeline no stage uses', () => {
  it('has its values checked: workers: 0 and a bad block were not said, exit 0', async () => {
    const text = [
      'pipelines:',
      '  spare:',
      '    - fan: {workers: 0, worker: cat}',
      '    - use: inner',
      '  inner:',
      '    - fan: {workers: 2, worker: cat, block: 10X}',
      'stages:',
      '  - run: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['0', /workers/],
      ['10X', /block 10X is not a size/],
    ]);
  });

  it('takes no stage name from the stages that run, and names in it are still its own', async () => {
    const clash =
      'pipelines:\n  spare:\n    - {name: up, run: cat}\nstages:\n  - {name: up, run: cat}\n';
    const dir = tempDir();
    expect((await check(writeConfig(dir, clash))).exitCode).toBe(0);
    const twice =
      'pipelines:\n  spare:\n    - {name: a, run: cat}\n    - {name: a, run: cat}\nstages:\n  - run: cat\n';
    await expectProblems(twice, [
      [['a, run', 2], /stage name "a" is taken: the stage at line 3 has it/],
    ]);
  });
});

describe('use: entries', () => {
  it('a name on a use: is a problem at it: it was ignored, exit 0', async () => {
    const text = [
      'pipelines:',
      '  clean:',
      '    - run: cat',
      '    - name: upper',
      '      run: tr a-z A-Z',
      'stages:',
      '  - use: clean',
      '    name: cleaning',
      '',
    ].join('\n');
    await expectProblems(text, [
      [
        'name: cleaning',
        /"name" does not go with "use": the stages of pipelines\.clean are named in it$/,
      ],
    ]);
  });
});

describe('use: that multiplies', () => {
  it('pipelines each using the one before twice are bounded: 31 lines ran for ever', async () => {
    const lines = ['pipelines:', '  p0: [{run: cat}]'];
    for (let i = 1; i <= 30; i++) lines.push(`  p${i}: [{use: p${i - 1}}, {use: p${i - 1}}]`);
    lines.push('stages:', '  - run: cat', '  - use: p30', '');
    await expectProblems(lines.join('\n'), [
      [
        'p30\n',
        /use: p30 makes more than 10000 stages \(pipelines that use others several times multiply\)$/,
      ],
    ]);
  });
});
