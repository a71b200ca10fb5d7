import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, root } from '../helpers.js';
import { check, expectProblems, problemsOf, tempDir } from '../support/check.js';
import { escapeRegExp } from '../support/lines.js';
import { writeConfig } from '../support/temp.js';

// `manifold check <config>`: exit 0 and silence for a good config; exit 2 with every problem at
// once, each as <file>:<line>:<column>: <message>, the position that of the offending key or
// value. What each kind of problem says, and where, is in check-problems.test.ts.

describe('a good config', () => {
  const examples = readdirSync(join(root, 'examples'), { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() && existsSync(join(root, 'examples', entry.name, 'pipeline.yaml')),
    )
    .map((entry) => entry.name);

  it('the examples are all there', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples)('examples/%s/pipeline.yaml checks clean: exit 0, no output', async (name) => {
    const config = join(root, 'examples', name, 'pipeline.yaml');
    const result = await check(config, ['--set', 'INPUT=/dev/null']);
    expect({
      exitCode: result.exitCode,
      stdout: result.stdout.toString(),
      stderr: result.stderr,
    }).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('with relative input, output, filter and command, from another cwd: exit 0, nothing run', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'tools'));
    writeFileSync(join(dir, 'in.txt'), 'x\n');
    writeFileSync(join(dir, 'tools', 'step.sh'), '#!/bin/sh\ncat\n');
    chmodSync(join(dir, 'tools', 'step.sh'), 0o755);
    const config = writeConfig(
      dir,
      [
        'input: in.txt',
        'output: out.txt',
        'stages:',
        '  - run: touch ran; ./tools/step.sh',
        '  - run: [./tools/step.sh]',
        '  - fan:',
        '      worker:',
        `        filter: ${bin('mf-map')}`,
        '        args: [r]',
        '',
      ].join('\n'),
    );
    const result = await check(config);
    expect({
      exitCode: result.exitCode,
      stdout: result.stdout.toString(),
      stderr: result.stderr,
    }).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(readdirSync(dir).sort()).toEqual(['in.txt', 'pipeline.yaml', 'tools']);
  });

  it('valid shell commands are not reported as programs not found', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      [
        'stages:',
        "  - run: 'for i in 1 2; do cat; done'",
        "  - run: 'case x in x) cat ;; *) cat ;; esac'",
        '  - run: \'while read -r line; do printf "%s\\n" "$line"; done\'',
        "  - run: 'up() { tr a-z A-Z; }; up'",
        "  - run: 'if true; then cat; else exit 1; fi'",
        "  - run: 'LC_ALL=C sort | (cat) 2>/dev/null # done'",
        "  - run: 'cat 2>&1'",
        "  - run: 'echo starting >&2; exec 3>&-; cat <&0'",
        '',
      ].join('\n'),
    );
    const result = await check(config);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
  });
});

describe('reports', () => {
  it('every problem of a config at once, in order', async () => {
    const text = [
      'stages:', // 1
      '  - run: no-such-program-mf', // 2
      '  - fan:', // 3
      '      wrkers: 2', // 4
      '      worker: cat', // 5
      '  - fan:', // 6
      '      block: 10X', // 7
      '      worker: cat', // 8
      '  - filter: ./missing.js', // 9
      '  - branches:', // 10
      '      a:', // 11
      '        - run: cat', // 12
      '    join: cat {a} {z}', // 13
      '',
    ].join('\n');
    await expectProblems(text, [
      ['no-such', /no-such-program-mf: command not found/],
      ['wrkers', /unknown key "wrkers"/],
      ['10X', /block 10X is not a size/],
      ['./missing.js', /filter module/],
      ['cat {a}', /placeholder \{z\} names no branch/],
    ]);
  });

  it('every problem of one fan at once', async () => {
    const text = [
      'stages:',
      '  - fan:',
      '      split: lines2',
      '      key: fild:1',
      '      block: 10X',
      '      worker: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['lines2', /split lines2 is not one of/],
      ['fild:1', /key fild:1 is not one of/],
      ['10X', /block 10X is not a size/],
    ]);
  });

  it('every problem line in the same form, <file>:<line>:<column>: <message>', async () => {
    const dir = tempDir();
    const file = writeConfig(
      dir,
      'stages:\n  - run: no-such-program-mf\n  - run: no-such-program-mf2\n',
    );
    const result = await check(file);
    expect(result.exitCode).toBe(2);
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${escapeRegExp(file)}:2:10: `)),
      expect.stringMatching(new RegExp(`^${escapeRegExp(file)}:3:10: `)),
    ]);
  });

  it('positions in a JSON config too', async () => {
    const text = [
      '{',
      '  "stages": [',
      '    {"run": "cat"},',
      '    {"fan": {"wrkers": 2, "worker": "cat", "block": "10X"}}',
      '  ]',
      '}',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['"wrkers"', /unknown key "wrkers" .*did you mean "workers"/],
      ['"10X"', /block 10X is not a size/],
    ]);
  });

  it('a JSON syntax error', async () => {
    const text = '{\n  "stages": [\n    {"run": "cat"}\n    {"run": "cat"}\n  ]\n}\n';
    await expectProblems(text, [[['{"run"', 2], /Missing , or :/]]);
  });

  it('a config file that does not exist: exit 2, one line naming it', async () => {
    const missing = join(tempDir(), 'absent.yaml');
    const result = await check(missing);
    expect({ exitCode: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      exitCode: 2,
      stdout: '',
    });
    expect(result.stderr).toMatch(
      new RegExp(`^${escapeRegExp(missing)}:1:1: cannot read the config: no such file\\n$`),
    );
  });

  it('a config that is a folder: one line saying so, in words', async () => {
    const folder = tempDir();
    const result = await check(folder);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`${folder}:1:1: cannot read the config: is a directory\n`);
  });
});

describe('a variable set to nothing', () => {
  it('is said to be empty, not unset: it was "not set: set it ... with --set W=..."', async () => {
    const config = writeConfig(tempDir(), `stages:\n  - run: head -n \${W}\n`);
    const result = await check(config, ['--set', 'W=']);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `${config}:2:18: \${W} is empty: give it a value, or a default as \${W:-value}\n`,
    });
  });
});

describe('an input that is a folder', () => {
  it('is a problem at its name: before, it was checked clean and the run failed in cat, on two lines', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'in.txt'), 'x\n');
    const config = writeConfig(dir, 'input: [in.txt, data]\nstages:\n  - run: cat\n');
    const result = await check(config);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `${config}:1:17: input "data" is a directory\n`,
    });
  });
});

describe('a config that is not UTF-8', () => {
  it('is a problem at its first such byte: before, each became U+FFFD, and the run went on', async () => {
    // A Latin-1 `é`: the command would have been run with grep caf\uFFFD, matching nothing.
    const file = join(tempDir(), 'latin1.yaml');
    writeFileSync(file, Buffer.from('stages:\n  - run: cat\n  - run: grep caf\xe9\n', 'latin1'));
    const result = await check(file);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `${file}:3:18: byte 0xe9 is not UTF-8: a config is read as UTF-8 text\n`,
    });
  });
});

describe('a column', () => {
  // Before, columns were UTF-16 units: an emoji before a problem counted two.
  it('counts characters: an emoji or a tab before a problem is one column, in YAML', async () => {
    await expectProblems('stages: [{fan: {worker: "echo 😀😀", \twrkers: 2}}]\n', [
      ['wrkers', /unknown key "wrkers"/],
    ]);
  });

  it('in a JSON syntax error and at a byte that is not UTF-8', async () => {
    const json = '{"stages": [{"run": "echo 😀"}, ]}\n';
    await expectProblems(json, [[', ]', /a trailing comma/]], 'pipeline.json');
    const file = join(tempDir(), 'emoji.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from('# 😀😀 caf'), Buffer.from([0xe9])]));
    const result = await check(file);
    expect(result.stderr).toBe(
      `${file}:1:9: byte 0xe9 is not UTF-8: a config is read as UTF-8 text\n`,
    );
  });
});

describe('the schema validator compiled by the build', () => {
  it('finds the same problems as the schema compiled at run time', async () => {
    // The TypeScript sources have no schema-validator.js beside them, so they compile the schema
    // with ajv; `manifold check` runs the bundle, which carries the build's compiled validator.
    const { loadConfig } = await import('../../orchestrator/config/load.js');
    const { checkSchema } = await import('../../orchestrator/config/schema-check.js');
    const text = [
      'stages:',
      '  - run: [cat]',
      '    workrs: 2',
      '  - fan: {workers: x, block: 5}',
      '  - name: 3',
      '    branches: [{stages: [{filter: [1]}]}]',
      '',
    ].join('\n');
    const file = writeConfig(tempDir(), text);
    const fromSources = checkSchema(loadConfig(file, {})).map(
      ({ line, column, message }) => `${file}:${line}:${column}: ${message}`,
    );
    expect(fromSources.length).toBeGreaterThan(3);
    const result = await check(file);
    expect(result.exitCode).toBe(2);
    const fromBundle = problemsOf(result.stderr.toString());
    for (const problem of fromSources) expect(fromBundle).toContain(problem);
  });
});
