import { describe, expect, it } from 'vitest';
import { expectProblems } from '../support/check.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A run: stage's ok-status, as a fan's: the exit statuses of its command that are no failure.
// With it, `grep` that selects nothing need not fail the run, nor its command line be
// rewritten for a shell (`grep x || [ $? -eq 1 ]`).

/** Runs the stages (YAML lines under `stages:`) on `input`. */
async function runStages(stages: string[], input = 'a\nb\n') {
  const config = writeConfig(
    tempDir('manifold-ok-status-'),
    ['input: "-"', 'stages:', ...stages, ''].join('\n'),
  );
  return outcome(await runConfig(config, input));
}

describe("a run: stage's ok-status", () => {
  it('a status it names is no failure: the stages after it run, the run exits 0', async () => {
    for (const okStatus of ['"0,1"', '[0, 1]', '1']) {
      expect(
        await runStages([
          '  - run: [grep, zzz]',
          `    ok-status: ${okStatus}`,
          '  - run: [wc, -l]',
        ]),
        okStatus,
      ).toEqual({ exitCode: 0, stderr: '', stdout: '0\n' });
    }
  });

  it('the output of a command whose status it names is kept whole', async () => {
    const result = await runStages([
      '  - run: "cat; exit 3"',
      '    ok-status: "0,3"',
      '  - run: [tr, a-z, A-Z]',
    ]);
    expect(result).toEqual({ exitCode: 0, stderr: '', stdout: 'A\nB\n' });
  });

  it('a status it does not name is a failure still, said as before', async () => {
    const result = await runStages([
      '  - run: [grep, -E, "("]',
      '    ok-status: [0, 1]',
      '  - run: cat',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^(grep: .*\n)?manifold: stage stages\[0\] \(grep -E \(\) exited with status 2\n$/,
    );
  });

  it('a signal is a failure whatever it names', async () => {
    const result = await runStages(['  - run: "kill -TERM $$"', '    ok-status: "0,1,143"']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('was killed by SIGTERM');
  });

  it('a bad value, and ok-status where it has no command of its own, are problems at it', async () => {
    await expectProblems(
      [
        'stages:',
        '  - run: cat',
        '    ok-status: "0,x"',
        '  - run: cat',
        '    ok-status: "0,127"',
        '  - fan: {worker: cat}',
        '    ok-status: 1',
        '  - filter: present.js',
        '    ok-status: 1',
        '',
      ].join('\n'),
      [
        ['"0,x"', /ok-status must be exit statuses from 0 to 255, separated by commas/],
        ['"0,127"', /ok-status cannot accept 127: it says the command could not be run$/],
        [
          ['ok-status', 3],
          /"ok-status" of a fan goes in its fan: map \(fan: \{ok-status: "0,1", \.\.\.\}\)$/,
        ],
        [['ok-status', 4], /"ok-status" goes with "run"$/],
      ],
    );
  });
});

// A join is a command run on the branches' outputs: `diff {a} {b}` exits 1 when they differ,
// which failed the run, the join taking no ok-status.
describe("a join's ok-status", () => {
  const branches = (join: string, okStatus: string) => [
    '  - name: cmp',
    '    branches:',
    '      a:',
    '        - run: [cat]',
    '      b:',
    '        - run: [tr, a, x]',
    '    combine: join',
    `    join: ${join}`,
    `    ok-status: ${okStatus}`,
  ];

  it('a status it names is no failure: diff of branches that differ exits 0', async () => {
    for (const okStatus of ['"0,1"', '[0, 1]', '1']) {
      expect(
        await runStages([...branches('diff {a} {b}', okStatus), '  - run: [wc, -l]']),
        okStatus,
      ).toEqual({ exitCode: 0, stderr: '', stdout: '4\n' });
    }
  });

  it('a status it does not name is a failure still, said as before', async () => {
    const result = await runStages(branches('diff {a} {b} || exit 3', '[0, 1]'));
    expect(result).toEqual({
      exitCode: 1,
      stderr: expect.stringMatching(
        /^manifold: stage cmp\.join \(diff \{a\} \{b\} \|\| exit 3\) exited with status 3\n$/,
      ),
      stdout: '1c1\n< a\n---\n> x\n',
    });
  });

  it('a bad value, and ok-status beside a concat or a merge, are problems at it', async () => {
    const stage = (okStatus: string, combine: string) => [
      '  - branches:',
      '      a: [{run: cat}]',
      '      b: [{run: cat}]',
      `    combine: ${combine}`,
      ...(combine === 'join' ? ['    join: paste {a} {b}'] : []),
      `    ok-status: ${okStatus}`,
    ];
    await expectProblems(
      [
        'stages:',
        ...stage('"0,x"', 'join'),
        ...stage('"0,127"', 'join'),
        ...stage('"0,2"', 'concat'),
        ...stage('[0, 1]', 'merge'),
        '',
      ].join('\n'),
      [
        ['"0,x"', /ok-status must be exit statuses from 0 to 255, separated by commas/],
        ['"0,127"', /ok-status cannot accept 127: it says the command could not be run$/],
        ['"0,2"', /"ok-status" needs combine: join \(it is concat\)$/],
        ['[0, 1]', /"ok-status" needs combine: join \(it is merge\)$/],
      ],
    );
  });
});
