import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { at, type Expected, expectProblems, problemsOf, tempDir } from '../support/check.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { writeConfig } from '../support/temp.js';

// `manifold check <config>`: each kind of problem, reported at the key or value it is about.

/** `${NAME}` as a config writes it. */
const v = (name: string) => `\${${name}}`;
const unset = (name: string) => new RegExp(`\\$\\{${name}\\} is not set: .*--set ${name}=`);

describe('problems, each at its key or value', () => {
  it('an unknown key close to a known one says "did you mean", at the key', async () => {
    const text = 'stages:\n  - fan:\n      wrkers: 3\n      worker: cat\n';
    await expectProblems(text, [
      ['wrkers', /unknown key "wrkers" in stages\[0\]\.fan \(did you mean "workers"\?\)/],
    ]);
  });

  // manifold fan's flags that a config says its own way (docs/config.md, "Fans"):
  // `one-to-one: true` (or the library's `perBlock`) is told the key, not only the list of keys.
  it("a fan flag's name in a fan map says how a config says it, at the key", async () => {
    const text = [
      'stages:',
      '  - fan:',
      '      one-to-one: true',
      '      perBlock: true',
      '      threads: true',
      '      rrs: true',
      '      ssh: ssh -p 2222',
      '      table: [users=users.mft]',
      '      worker: cat',
      '',
    ].join('\n');
    const flag = (key: string, said: string) =>
      new RegExp(
        `unknown key "${key}" in stages\\[0\\]\\.fan \\(that is manifold fan's ${said}\\); known: `,
      );
    await expectProblems(text, [
      ['one-to-one', flag('one-to-one', '--one-to-one; a config says attribution: one-to-one')],
      ['perBlock', flag('perBlock', '--per-block; a config says attribution: per-block')],
      ['threads', flag('threads', "--threads; a config says threads: true in the worker's map .*")],
      ['rrs', flag('rrs', '--rrs; a config says remove-rec-sep: true')],
      [
        'ssh',
        flag(
          'ssh',
          "--ssh; a config says hosts' ssh: hosts: \\{list: \\[\\.\\.\\.\\], ssh: \\.\\.\\.\\}",
        ),
      ],
      ['table', flag('table', "--table; a config says the top level's tables: \\{NAME: PATH\\}")],
    ]);
  });

  // The schema said it too, in its own words, at the item: two lines for one problem (QA).
  it('an ok-status out of 0-255 is one problem, at its value', async () => {
    await expectProblems('stages:\n  - run: [grep, x]\n    ok-status: [0, 256]\n', [
      ['[0, 256]', /ok-status must be exit statuses from 0 to 255, .* \(got \[0,256\]\)$/],
    ]);
    await expectProblems('stages:\n  - fan: {ok-status: [0, 300], worker: cat}\n', [
      ['[0, 300]', /ok-status must be exit statuses from 0 to 255, .* \(got \[0,300\]\)$/],
    ]);
  });

  // Editors write it and do not show it: line 1's columns were one too far (QA).
  it('a byte-order mark is no column of line 1, in YAML and in JSON', async () => {
    for (const [name, text] of [
      ['pipeline.yaml', 'stages: [{fan: {wrkers: 2, worker: cat}}]\n'],
      ['pipeline.json', '{"stages": [{"fan": {"wrkers": 2, "worker": "cat"}}]}'],
    ]) {
      const file = writeConfig(tempDir(), `\uFEFF${text}`, name!);
      const column = text!.indexOf('wrkers') + (name!.endsWith('.json') ? 0 : 1);
      const result = await runConfig(file);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^${file}:1:${column}: unknown key "wrkers"`));
    }
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

  it("a worker map's values of the wrong type, at the value, not the whole worker", async () => {
    // `threads: "yes"` was said as `"worker" must be a command (a string or an array) or an
    // object with run, filter or stages`, at the worker, which has its filter.
    const text = [
      'stages:',
      '  - fan:',
      '      worker:',
      '        filter: present.js',
      '        args: notalist',
      '        threads: "yes"',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['notalist', /"args" must be a list/],
      ['"yes"', /"threads" must be a boolean/],
    ]);
  });

  it('a value with a line break in it, said in the one line of its problem', async () => {
    // Its line break ended the line: the rest of the problem stood without a place.
    const text = 'stages:\n  - fan:\n      workers: "1\\n2"\n      worker: cat\n';
    await expectProblems(text, [
      [
        '"1',
        /"workers" must be a whole number of at least 1, or \+N, -N, N% of the CPUs \(as GNU parallel's -j\), not "1\\n2"$/,
      ],
    ]);
  });

  it('values of the wrong type for keys that take one of several (a TypeError before)', async () => {
    const text = [
      'env: {A: [1, 2]}',
      'stages:',
      '  - fan:',
      '      block: [1]',
      '      timeout: {s: 1}',
      '      worker: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['[1, 2]', /"A" must be a string or a number or a boolean/],
      ['[1]', /"block" must be a string or a whole number/],
      ['{s: 1}', /"timeout" must be a string or a number/],
    ]);
  });

  it('true or false where a string goes, at the value: the schema made text of it', async () => {
    // `queue: true` checked clean as the host "true" (nats://true:4222), `output: false` as a
    // file named false; a command's words stay text as written, and env takes a boolean.
    const text = [
      'output: false',
      'env: {A: true}',
      'stages:',
      '  - run: [test, true]',
      '  - fan: {queue: true, job: false}',
      '',
    ].join('\n');
    const not = (key: string, value: string) =>
      new RegExp(
        `"${key}" must be a string, not ${value} \\(quote it, "${value}", if it is one\\)$`,
      );
    await expectProblems(text, [
      ['false', not('output', 'false')],
      [['true', 3], not('queue', 'true')],
      [['false', 2], not('job', 'false')],
    ]);
  });

  it('true or false where a number goes, at the value: the schema made 1 or 0 of it', async () => {
    // `retries: true` ran with one retry, `workers: true` with one worker, silently.
    const text = ['stages:', '  - fan: {retries: true, workers: false, worker: [cat]}', ''].join(
      '\n',
    );
    const not = (key: string, value: string) =>
      new RegExp(`"${key}" must be a number, not ${value}$`);
    await expectProblems(text, [
      [['true', 1], not('retries', 'true')],
      ['false', not('workers', 'false')],
    ]);
  });

  it('stages that are not a list', async () => {
    await expectProblems('stages: cat\n', [['cat', /"stages" must be a list/]]);
  });

  it('an empty list or map where one or more are needed: it said "must NOT have fewer than 1 items"', async () => {
    await expectProblems('stages: []\n', [
      ['[]', /"stages" is an empty list: it needs one or more$/],
    ]);
    const text = [
      'pipelines:',
      '  p: []',
      'stages:',
      '  - branches: {}',
      '  - branches: {a: []}',
      '  - fan: {worker: {stages: []}}',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['[]', /"p" is an empty list: it needs one or more$/],
      ['{}', /"branches" is an empty map: it needs one or more$/],
      [['[]', 2], /"a" is an empty list: it needs one or more$/],
      ['{stages', /"worker" must be a command/],
      [['[]', 3], /"stages" is an empty list: it needs one or more$/],
    ]);
  });

  it('an empty string where a name is needed: it said "must NOT have fewer than 1 characters"', async () => {
    await expectProblems('input: present.js\noutput: ""\nstages:\n  - run: cat\n', [
      ['""', /"output" is an empty string: give it a value, or leave the key out$/],
    ]);
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
      ['10X', /block 10X is not a size/],
      ['lots', /max-record lots is not a size/],
      ['plenty', /merge-memory plenty is not a size/],
    ]);
  });

  // workers was checked as the options were resolved, after the values: a bad block hid it.
  it('a bad workers beside another bad value in one fan: both', async () => {
    await expectProblems(
      'stages:\n  - fan:\n      workers: 0\n      block: 10X\n      worker: cat\n',
      [
        ['0', /workers 0 \(GNU parallel's "as many as can run"\) has no meaning for a fan/],
        ['10X', /block 10X is not a size/],
      ],
    );
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
      ['lines2', /split lines2 is not one of lines, lines:<n>, nul/],
      ['jsonl', /join jsonl is not one of lines, lines:<n>, nul/],
      ['bogus', /.* bogus is not one of lines, lines:<n>, nul/],
    ]);
  });

  it('a bad key spec', async () => {
    const text = 'stages:\n  - fan:\n      dispatch: hash\n      key: fild:1\n      worker: cat\n';
    await expectProblems(text, [['fild:1', /key fild:1 is not one of field:N, json/]]);
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

  it('a filter module that is a folder node cannot run, as a stage and as workers; one it can runs', async () => {
    // Node's own `Cannot find module '.../lib'` and its stack trace, from every process of the
    // run, exit 1: the check passed it. A folder with an index.js node runs, as `node dir`.
    const dir = tempDir();
    mkdirSync(join(dir, 'lib'));
    mkdirSync(join(dir, 'upper'));
    writeFileSync(join(dir, 'upper', 'index.js'), 'process.stdin.pipe(process.stdout);\n');
    const text = [
      'stages:',
      '  - filter: lib',
      '  - fan:',
      '      worker:',
      '        filter: ./lib/',
      '  - fan:',
      '      worker:',
      '        stages:',
      '          - filter: lib',
      '',
    ].join('\n');
    const file = writeConfig(dir, text);
    const folder = ' is a directory, with no index.js or package.json "main" for node to run';
    const result = await runConfig(file, 'a\n');
    expect({ exitCode: result.exitCode, problems: problemsOf(result.stderr) }).toEqual({
      exitCode: 2,
      problems: [
        `${file}:${at(text, 'lib')}: filter module "lib"${folder}`,
        `${file}:${at(text, './lib/')}: filter module "./lib/"${folder}`,
        `${file}:${at(text, 'lib', 3)}: filter module "lib"${folder}`,
      ],
    });
    const runs = writeConfig(dir, 'stages:\n  - filter: upper\n', 'runs.yaml');
    expect(outcome(await runConfig(runs, 'a\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'a\n',
    });
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
    const text = `stages:\n  - run: grep ${v('MF_CHECK_UNSET_PATTERN')}\n`;
    await expectProblems(text, [
      [
        v('MF_CHECK_UNSET_PATTERN'),
        /\$\{MF_CHECK_UNSET_PATTERN\} is not set: .*--set MF_CHECK_UNSET_PATTERN=/,
      ],
    ]);
  });

  it('every unset variable at once, each at its own ${, several in one value', async () => {
    const text = [
      `input: ${v('MF_UNSET_IN')}`,
      'stages:',
      `  - run: grep ${v('MF_UNSET_A')} --color=${v('MF_UNSET_B:-never')} ${v('MF_UNSET_C')}`,
      '  - run: |',
      `      sed s/${v('MF_UNSET_FROM')}/${v('MF_UNSET_TO')}/ $${v('LITERAL')}`,
      '  - filter: present.js',
      `    args: ["${v('MF_UNSET_D')}", 'x ${v('MF_UNSET_E')}', "\\u0024{MF_UNSET_F}"]`,
      '',
    ].join('\n');
    const names = ['IN', 'A', 'C', 'FROM', 'TO', 'D', 'E'].map((name) => `MF_UNSET_${name}`);
    await expectProblems(text, [
      ...names.map((name): Expected => [v(name), unset(name)]),
      // Spelt with an escape, the variable has no ${ of its own: its value's start stands for it.
      ['"\\u0024', unset('MF_UNSET_F')],
    ]);
  });

  it('a NUL where it would reach a program, a file name or the environment, at its value', async () => {
    // Each was checked clean, and the run failed with a TypeError of Node's, exit 1, no place.
    // A framing's NUL (a delimiter, a field separator) is no problem.
    const text = [
      'output: "out\\0.txt"',
      'env:',
      '  A: "x\\0y"',
      'stages:',
      '  - run: "echo \\0"',
      '  - run: [echo, "a\\0b"]',
      '  - fan:',
      '      dispatch: hash',
      '      key: field:1',
      '      field-sep: "\\0"',
      '      split: "delim:\\0"',
      '      join: "delim:\\0"',
      '      worker: {run: cat, env: {"B\\0": b}}',
      '  - branches: {a: [{run: cat}]}',
      '    join: [cat, "{a}\\0"]',
      '',
    ].join('\n');
    const nul = /a NUL \(\\0\) cannot reach a program, a file name or the environment/;
    await expectProblems(text, [
      ['"out', nul],
      ['"x', nul],
      ['"echo', nul],
      ['"a\\0b', nul],
      ['"B', nul],
      ['"{a}', nul],
    ]);
  });

  it('environment variable names that are empty or hold "=", at the name', async () => {
    // "A=B": x set A to "B=x"; "": y was dropped. Both unsaid.
    const text = 'env:\n  "A=B": x\n  "": y\nstages:\n  - run: cat\n    env: {"C=": z}\n';
    const name = (what: string) =>
      new RegExp(`a name in "env" \\(${what}\\) may not be empty or hold "="`);
    await expectProblems(text, [
      ['"A=B"', name('"A=B"')],
      ['""', name('""')],
      ['"C="', name('"C="')],
    ]);
  });

  it('a stage name given twice, at the second: a pipeline used twice is not that', async () => {
    // Both ran, and their failures and --stats (an edge "from clean to clean") could not be told
    // apart.
    const text = [
      'pipelines:',
      '  tidy: [{name: trim, run: cat}]',
      'stages:',
      '  - name: clean',
      '    run: cat',
      '  - use: tidy',
      '  - use: tidy',
      '  - branches:',
      '      a: [{name: clean, run: cat}]',
      '',
    ].join('\n');
    await expectProblems(text, [
      [['clean', 2], /stage name "clean" is taken: the stage at line 4 has it/],
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
