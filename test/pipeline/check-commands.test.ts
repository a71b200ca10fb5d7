import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, expectProblems, tempDir } from '../support/check.js';
import { runConfig } from '../support/pipeline.js';
import { writeConfig } from '../support/temp.js';

// The commands of a config, checked as they will run: a command line of blanks runs nothing,
// and a program is looked for on the PATH its stage will have.

describe('a command line of blanks', () => {
  it("is a problem at it, as a stage, a worker and a worker pipeline's: it ran nothing, exit 0", async () => {
    const text = [
      'stages:',
      '  - run: "  "',
      '  - fan:',
      '      worker: " "',
      '  - fan:',
      '      worker:',
      '        stages:',
      '          - run: cat',
      '          - run: "\\t"',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['"  "', /a command line of blanks runs nothing$/],
      ['" "', /a command line of blanks runs nothing$/],
      ['"\\t"', /a command line of blanks runs nothing$/],
    ]);
  });

  it('an array whose program is empty says so: it said ": command not found"', async () => {
    await expectProblems('stages:\n  - run: ["", x]\n', [
      ['[""', /the program \(the array's first word\) is empty$/],
    ]);
  });
});

describe('a command line the shell cannot parse', () => {
  it("is a problem at it, as a stage, a worker and a worker pipeline's: it checked clean and failed as it ran, exit 1", async () => {
    const text = [
      'stages:',
      '  - run: "cat |"',
      '  - fan:',
      '      worker: "sort \'"',
      '  - fan:',
      '      worker:',
      '        stages:',
      '          - run: cat',
      '          - run: "if true"',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['"cat |"', /\/bin\/sh cannot parse this command line: line 1: [Ss]yntax error.+$/],
      ['"sort', /\/bin\/sh cannot parse this command line: line 1: [Ss]yntax error.+$/],
      ['"if true"', /\/bin\/sh cannot parse this command line: line 1: [Ss]yntax error.+$/],
    ]);
  });
});

describe("a program is looked for on its stage's PATH", () => {
  it("the env's PATH, its relative folders in the config's: it was manifold's PATH", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'tools'));
    writeFileSync(join(dir, 'tools', 'shout'), '#!/bin/sh\ntr a-z A-Z\n', { mode: 0o755 });
    const text = [
      'stages:',
      '  - run: shout',
      '    env: {PATH: "tools:/usr/bin:/bin"}',
      '  - fan:',
      '      worker: {run: [shout], env: {PATH: "tools:/usr/bin:/bin"}}',
      '',
    ].join('\n');
    const good = await check(writeConfig(dir, text));
    expect({ code: good.exitCode, stderr: good.stderr }).toEqual({ code: 0, stderr: '' });
    const run = await runConfig(writeConfig(dir, text), 'abc\n');
    expect({ code: run.exitCode, stdout: run.stdout.toString() }).toEqual({
      code: 0,
      stdout: 'ABC\n',
    });
  });

  it('a PATH without the program is a problem, as the run would say 127: it checked clean', async () => {
    await expectProblems('env: {PATH: /nowhere}\nstages:\n  - run: cat\n', [
      ['cat', /cat: command not found$/],
    ]);
  });
});

describe('a join', () => {
  it('that names a branch twice is a problem: two readers shared its one stream, unsaid', async () => {
    const text = [
      'stages:',
      '  - branches: {a: [{run: cat}], b: [{run: cat}]}',
      '    combine: join',
      '    join: "paste {a} {a} {b}"',
      '  - branches: {a: [{run: cat}]}',
      '    join: [diff, "{a}", "{a}"]',
      '',
    ].join('\n');
    await expectProblems(text, [
      [
        '"paste',
        /placeholder \{a\} is there twice: a branch's output is one stream, read once; give each reader a branch of its own$/,
      ],
      [
        '[diff',
        /placeholder \{a\} is there twice: a branch's output is one stream, read once; give each reader a branch of its own$/,
      ],
    ]);
  });
});

describe('split: on branches', () => {
  it('goes with combine: merge, as join: goes with combine: join: it was ignored', async () => {
    const text = [
      'stages:',
      '  - branches: {a: [{run: cat}]}',
      '    split: nul',
      '  - branches: {a: [{run: cat}]}',
      '    join: "cat {a}"',
      '    split: ndjson',
      '  - branches: {a: [{run: cat}]}',
      '    combine: merge',
      '    split: nul',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['nul\n', /"split" needs combine: merge \(it is concat\)$/],
      ['ndjson', /"split" needs combine: merge \(it is join\)$/],
    ]);
  });
});

describe("a fan's worker", () => {
  it("with args but no filter is a problem, as a stage's is: the args were dropped, unsaid", async () => {
    const text = [
      'stages:',
      '  - fan:',
      '      worker: {run: cat, args: [x]}',
      '  - fan:',
      '      worker: {stages: [{run: cat, args: [y]}]}',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['[x]', /"args" goes with "filter"$/],
      ['[y]', /"args" goes with "filter"$/],
    ]);
  });

  it("of stages gives each its own env, as a stage's env is given: it was dropped", async () => {
    const dir = tempDir();
    const text = [
      'stages:',
      '  - env: {B: top}',
      '    fan:',
      '      workers: 1',
      '      worker:',
      '        env: {C: worker}',
      '        stages:',
      '          - run: "cat; echo A=$A B=$B C=$C"',
      '            env: {A: "it\'s one"}',
      '          - run: [sed, "s/^/$A:/"]',
      '          - run: [sh, -c, "cat; echo D=$D"]',
      '            env: {D: d}',
      '',
    ].join('\n');
    const result = await runConfig(writeConfig(dir, text), 'x\n');
    expect({
      code: result.exitCode,
      stderr: result.stderr,
      stdout: result.stdout.toString(),
    }).toEqual({
      code: 0,
      stderr: '',
      stdout: "$A:x\n$A:A=it's one B=top C=worker\nD=d\n",
    });
  });
});
