import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, manifold, root, run } from '../helpers.js';
import { tempDir as makeTempDir, writeConfig } from './folders.js';

// `manifold check <config>`: exit 0 and silence for a good config; exit 2 with every problem at
// once, each as <file>:<line>:<column>: <message>, the position that of the offending key or
// value. Positions are found in the config text by a needle, so each case says what it points at.

const tempDir = () => makeTempDir('manifold-pipe-check-');

/** `manifold check`, from a working directory that is not the config's folder. */
const check = (config: string, args: string[] = []) =>
  run(manifold, ['check', config, ...args], '', { cwd: tempDir(), timeout: 20_000 });

/** `line:column` of the `nth` occurrence of `needle` in `text` (both 1-based). */
function at(text: string, needle: string, nth = 1): string {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" is not ${nth} times in the config`);
  }
  const before = text.slice(0, index).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The problem lines of stderr; the first may carry the program's name, as errors do. */
const problemsOf = (stderr: string) =>
  stderr
    .replace(/^manifold: /, '')
    .split('\n')
    .filter((line) => line !== '');

/** Each expected problem: the text it points at (its nth occurrence), and its message. */
type Expected = [needle: string | [string, number], message: RegExp];

async function expectProblems(text: string, expected: Expected[]): Promise<void> {
  const dir = tempDir();
  writeFileSync(join(dir, 'present.js'), '');
  const file = writeConfig(dir, text);
  const result = await check(file);
  const wanted = expected.map(([needle, message]) => {
    const [what, nth] = typeof needle === 'string' ? [needle, 1] : needle;
    const prefix = escapeRegExp(`${file}:${at(text, what, nth)}: `);
    return expect.stringMatching(new RegExp(`^${prefix}${message.source}`));
  });
  expect({
    exitCode: result.exitCode,
    stdout: result.stdout.toString(),
    problems: problemsOf(result.stderr),
  }).toEqual({ exitCode: 2, stdout: '', problems: wanted });
}

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

describe('problems, each at its key or value', () => {
  it('an unknown key close to a known one says "did you mean", at the key', async () => {
    const text = 'stages:\n  - fan:\n      wrkers: 3\n      worker: cat\n';
    await expectProblems(text, [
      ['wrkers', /unknown key "wrkers" in stages\[0\]\.fan \(did you mean "workers"\?\)/],
    ]);
  });

  it('an unknown key at the top, and one far from any known key', async () => {
    const text = 'ouptut: out.txt\nstages:\n  - run: cat\n    colour: red\n';
    await expectProblems(text, [
      ['ouptut', /unknown key "ouptut" at the top \(did you mean "output"\?\)/],
      ['colour', /unknown key "colour" in stages\[0\]((?!did you mean).)*$/],
    ]);
  });

  it('values of the wrong type, at the value', async () => {
    const text = [
      'env: [A, B]',
      'stages:',
      '  - fan:',
      '      workers: three',
      '      tag: maybe',
      '      worker: cat',
      '  - filter: present.js',
      '    args: notalist',
      '  - run: {program: cat}',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['[A, B]', /"env" must be a map/],
      ['three', /"workers" must be a whole number/],
      ['maybe', /"tag" must be a boolean/],
      ['notalist', /"args" must be a list/],
      ['{program', /"run" must be a command/],
    ]);
  });

  it('stages that are not a list', async () => {
    await expectProblems('stages: cat\n', [['cat', /"stages" must be a list/]]);
  });

  it('bad sizes', async () => {
    const text = [
      'stages:',
      '  - fan:',
      '      block: 10X',
      '      worker: cat',
      '  - fan:',
      '      max-record: lots',
      '      worker: cat',
      '  - fan:',
      '      merge-memory: plenty',
      '      worker: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['10X', /block "10X" is not a size/],
      ['lots', /max-record "lots" is not a size/],
      ['plenty', /merge-memory "plenty" is not a size/],
    ]);
  });

  it('bad framings, of a fan and of merged branches', async () => {
    const text = [
      'stages:',
      '  - fan:',
      '      split: lines2',
      '      worker: cat',
      '  - fan:',
      '      join: jsonl',
      '      worker: cat',
      '  - branches:',
      '      a:',
      '        - run: cat',
      '      b:',
      '        - run: cat',
      '    combine: merge',
      '    split: bogus',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['lines2', /split "lines2" is not one of lines, nul/],
      ['jsonl', /join "jsonl" is not one of lines, nul/],
      ['bogus', /.*"bogus" is not one of lines, nul/],
    ]);
  });

  it('a bad key spec', async () => {
    const text = 'stages:\n  - fan:\n      dispatch: hash\n      key: fild:1\n      worker: cat\n';
    await expectProblems(text, [['fild:1', /key "fild:1" is not one of field:N, json/]]);
  });

  it('commands not found, as strings, in a shell pipeline, as arrays, and relative paths', async () => {
    const text = [
      'stages:',
      '  - run: no-such-program-mf --flag',
      '  - run: cat | no-such-program-mf2 -x',
      '  - run: [no-such-program-mf3, arg]',
      '  - run: ./missing.sh',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['no-such-program-mf --flag', /no-such-program-mf: command not found/],
      ['cat | no-such', /no-such-program-mf2: command not found/],
      ['[no-such-program-mf3', /no-such-program-mf3: command not found/],
      ['./missing.sh', /\.\/missing\.sh: no such file/],
    ]);
  });

  it('fan workers not found, as a string, an array, run and stages', async () => {
    const text = [
      'stages:',
      '  - fan:',
      '      worker: no-such-worker-mf1',
      '  - fan:',
      '      worker: [no-such-worker-mf2]',
      '  - fan:',
      '      worker:',
      '        run: no-such-worker-mf3',
      '  - fan:',
      '      worker:',
      '        stages:',
      '          - run: cat',
      '          - run: [no-such-worker-mf4]',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['no-such-worker-mf1', /no-such-worker-mf1: command not found/],
      ['[no-such-worker-mf2', /no-such-worker-mf2: command not found/],
      ['no-such-worker-mf3', /no-such-worker-mf3: command not found/],
      ['[no-such-worker-mf4', /no-such-worker-mf4: command not found/],
    ]);
  });

  it('a filter module that does not exist, as a stage and as a worker', async () => {
    const text = [
      'stages:',
      '  - filter: ./missing.js',
      '  - fan:',
      '      worker:',
      '        filter: lib/absent.js',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['./missing.js', /filter module "\.\/missing\.js" does not exist/],
      ['lib/absent.js', /filter module "lib\/absent\.js" does not exist/],
    ]);
  });

  it('a join placeholder that names no branch, and a branch the join does not use', async () => {
    const text = [
      'stages:',
      '  - branches:',
      '      a:',
      '        - run: cat',
      '      b:',
      '        - run: cat',
      '    join: paste {a} {b} {c}',
      '  - branches:',
      '      a:',
      '        - run: cat',
      '      unused:',
      '        - run: cat',
      '    join: cat {a}',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['paste {a}', /placeholder \{c\} names no branch \(branches: a, b\)/],
      ['cat {a}', /branch "unused" is not used by the join/],
    ]);
  });

  it('a use: cycle, a pipeline using itself, and a use: of no pipeline', async () => {
    const text = [
      'pipelines:',
      '  first:',
      '    - use: second',
      '  second:',
      '    - run: cat',
      '    - use: first',
      '  self:',
      '    - use: self',
      'stages:',
      '  - use: first',
      '  - use: self',
      '  - use: nowhere',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['first\n  self', /a cycle: first → second → first/],
      ['self\nstages', /a cycle: self → self/],
      ['nowhere', /no pipeline named "nowhere"/],
    ]);
  });

  it('an ordered merge with broadcast or hash dispatch', async () => {
    const text = [
      'stages:',
      '  - fan:',
      '      dispatch: broadcast',
      '      merge: ordered',
      '      worker: cat',
      '  - fan:',
      '      dispatch: hash',
      '      merge: ordered',
      '      worker: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      [['ordered', 1], /merge ordered .*dispatch broadcast/],
      [['ordered', 2], /merge ordered .*dispatch hash/],
    ]);
  });

  it('numeric: true (or reverse) without a sorted merge', async () => {
    const text = [
      'stages:',
      '  - fan:',
      '      numeric: true',
      '      worker: cat',
      '  - fan:',
      '      merge: ready',
      '      reverse: true',
      '      worker: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      [['true', 1], /numeric .*needs merge sorted/],
      [['true', 2], /reverse .*needs merge sorted/],
    ]);
  });

  it('a stage of two kinds, and a stage of none', async () => {
    const text = [
      'stages:',
      '  - run: cat',
      '    fan:',
      '      worker: cat',
      '  - name: nothing',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['run: cat', /a stage has one of run, filter, fan, branches or use, not run and fan/],
      ['name: nothing', /a stage needs one of run, filter, fan, branches or use/],
    ]);
  });

  it('an input file or glob that matches nothing, and an output folder that does not exist', async () => {
    const text =
      'input: [absent.txt, "logs/*.gz"]\noutput: no/such/out.txt\nstages:\n  - run: cat\n';
    await expectProblems(text, [
      ['absent.txt', /input file "absent\.txt" does not exist/],
      ['"logs', /no file matches "logs\/\*\.gz"/],
      ['no/such', /the folder of output "no\/such\/out\.txt" does not exist/],
    ]);
  });

  it('a variable that is not set and has no default', async () => {
    const text = `stages:\n  - run: grep \${MF_CHECK_UNSET_PATTERN}\n`;
    await expectProblems(text, [
      ['grep', /\$\{MF_CHECK_UNSET_PATTERN\} is not set: .*--set MF_CHECK_UNSET_PATTERN=/],
    ]);
  });

  it('YAML syntax errors: a key twice, an unclosed list', async () => {
    await expectProblems('stages:\n  - run: cat\n    run: tac\n', [
      [['run', 2], /Map keys must be unique/],
    ]);
    await expectProblems('stages:\n  - run: [cat, -u\n  - run: cat\n', [
      ['- run: cat', /.*(sequence|\]).*/],
    ]);
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
      ['10X', /block "10X" is not a size/],
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
      ['lines2', /split "lines2" is not one of/],
      ['fild:1', /key "fild:1" is not one of/],
      ['10X', /block "10X" is not a size/],
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
      ['"10X"', /block "10X" is not a size/],
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
      new RegExp(`^(manifold: )?${escapeRegExp(missing)}(:1:1)?: .*(ENOENT|no such file)\\n$`, 'i'),
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
