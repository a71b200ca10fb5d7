import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { bin, fixture, manifold, run } from '../helpers.js';
import { tempDir as makeTempDir, onCleanup, writeConfig } from './folders.js';

// `manifold run <config>` end to end: configs are written into temporary folders, so that the
// relative paths in them (inputs, output, commands) are resolved against the config's folder and
// not the test's working directory, which is another folder.

const tempDir = () => makeTempDir('manifold-pipe-run-');

/** `manifold run <config>` from a working directory that is not the config's folder. */
async function runConfig(
  config: string,
  input: string | Uint8Array = '',
  options: { args?: string[]; env?: Record<string, string>; timeout?: number } = {},
) {
  return run(manifold, ['run', config, ...(options.args ?? [])], input, {
    cwd: tempDir(),
    env: options.env ?? {},
    timeout: options.timeout ?? 20_000,
  });
}

/** A run's status, stderr and stdout together, so that a failure shows them all in one diff. */
const outcome = (result: { exitCode: number | undefined; stderr: string; stdout: Buffer }) => ({
  exitCode: result.exitCode,
  stderr: result.stderr,
  stdout: result.stdout.toString(),
});

const lines = (from: number, to: number, prefix = '') =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}\n`).join('');
const sorted = (text: string | Buffer) => text.toString().split('\n').slice(0, -1).sort();
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('config files', () => {
  it('YAML and the same config as JSON give the same output', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.txt'), lines(1, 500));
    const config = {
      input: 'in.txt',
      env: { SUFFIX: '!' },
      stages: [
        { name: 'mark', run: 'sed "s/$/$SUFFIX/"' },
        { fan: { workers: 2, block: '1K', merge: 'ordered', worker: ['tr', '0-9', 'a-j'] } },
        {
          branches: { upper: [{ run: 'tr a-j A-J' }], plain: [{ run: ['cat'] }] },
          combine: 'concat',
        },
      ],
    };
    const yaml = await runConfig(writeConfig(dir, config, 'pipeline.yaml'));
    const json = await runConfig(writeConfig(dir, JSON.stringify(config, null, 2), 'p.json'));
    const digits = lines(1, 500)
      .replace(/\n/g, '!\n')
      .replace(/\d/g, (d) => 'abcdefghij'[+d]!);
    const expected = digits.toUpperCase() + digits;
    expect(outcome(yaml)).toEqual({ exitCode: 0, stderr: '', stdout: expected });
    expect(outcome(json)).toEqual(outcome(yaml));
  });
});

describe('input', () => {
  it.each([
    ['no input key', ''],
    ["input: '-'", "input: '-'\n"],
    ['input: stdin', 'input: stdin\n'],
  ])('reads stdin with %s', async (_, inputLine) => {
    const dir = tempDir();
    const config = writeConfig(dir, `${inputLine}stages:\n  - run: [tr, a-z, A-Z]\n`);
    expect(outcome(await runConfig(config, 'hello\nworld\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'HELLO\nWORLD\n',
    });
  });

  it('reads one file named relative to the config, not stdin', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'one.txt'), 'from the file\n');
    const config = writeConfig(dir, 'input: data/one.txt\nstages:\n  - run: cat\n');
    expect(outcome(await runConfig(config, 'from stdin\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'from the file\n',
    });
  });

  it('reads several files and globs in the order given, each glob sorted', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'parts'));
    for (const name of ['b', 'c', 'a'])
      writeFileSync(join(dir, 'parts', `${name}.log`), `${name}\n`);
    writeFileSync(join(dir, 'parts', 'skip.txt'), 'not a log\n');
    writeFileSync(join(dir, 'head.txt'), 'head\n');
    writeFileSync(join(dir, 'tail.txt'), 'tail\n');
    const config = writeConfig(
      dir,
      'input: [tail.txt, "parts/*.log", head.txt]\nstages:\n  - run: cat\n',
    );
    expect(outcome(await runConfig(config, 'from stdin\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'tail\na\nb\nc\nhead\n',
    });
  });
});

describe('output', () => {
  it('goes to stdout by default, and with output: -', async () => {
    const dir = tempDir();
    for (const head of ['', "output: '-'\n"]) {
      const config = writeConfig(dir, `${head}stages:\n  - run: [rev]\n`);
      expect(outcome(await runConfig(config, 'abc\n'))).toEqual({
        exitCode: 0,
        stderr: '',
        stdout: 'cba\n',
      });
    }
  });

  it('to a file (relative to the config) appears with the content on success, nothing else left', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'out.txt'), 'old content\n');
    const config = writeConfig(dir, 'output: out.txt\nstages:\n  - run: seq 3\n');
    expect(outcome(await runConfig(config))).toEqual({ exitCode: 0, stderr: '', stdout: '' });
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('1\n2\n3\n');
    expect(readdirSync(dir).sort()).toEqual(['out.txt', 'pipeline.yaml']);
  });

  it('keeps the old content of the file when a stage fails, and leaves no temporary file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'out.txt'), 'old content\n');
    // The failing stage writes output first: none of it may reach out.txt.
    const config = writeConfig(
      dir,
      'output: out.txt\nstages:\n  - run: seq 1000\n  - run: "cat; exit 5"\n',
    );
    const result = await runConfig(config);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^manifold: stage stages\[1\] .*exited with status 5\n$/);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('old content\n');
    expect(readdirSync(dir).sort()).toEqual(['out.txt', 'pipeline.yaml']);
  });

  it('is not created at all when a stage fails and there was no file before', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, 'output: out.txt\nstages:\n  - run: "echo partial; exit 3"\n');
    expect((await runConfig(config)).exitCode).toBe(1);
    expect(readdirSync(dir)).toEqual(['pipeline.yaml']);
  });
});

describe('commands', () => {
  it('runs a string with /bin/sh -c', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      `stages:\n  - run: 'echo "$0"; i=1; while [ $i -le 2 ]; do echo "n=$((i * 10))"; i=$((i + 1)); done | tr n N'\n`,
    );
    expect(outcome(await runConfig(config))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '/bin/sh\nN=10\nN=20\n',
    });
  });

  it('runs an array directly: arguments with spaces, quotes, $ and * arrive intact', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a file'), '');
    const config = writeConfig(
      dir,
      [
        'stages:',
        `  - run: [printf, '[%s]\\n', "two words", "it's \\"quoted\\"", '$HOME', '*', '; echo no']`,
        '',
      ].join('\n'),
    );
    expect(outcome(await runConfig(config))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: `[two words]\n[it's "quoted"]\n[$HOME]\n[*]\n[; echo no]\n`,
    });
  });

  it('gives the top env to every stage, a stage env over it, and the environment under both', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      [
        'env:',
        '  WHO: top',
        '  ONLY_TOP: yes-top',
        '  COUNT: 3',
        'stages:',
        '  - run: echo "1 $WHO $ONLY_TOP $COUNT $FROM_ENV"',
        '  - env:',
        '      WHO: stage',
        '      FROM_ENV: overridden',
        '    run: [sh, -c, \'cat; echo "2 $WHO $ONLY_TOP $COUNT $FROM_ENV"\']',
        '  - run: \'cat; echo "3 $WHO $FROM_ENV"\'',
        '',
      ].join('\n'),
    );
    expect(outcome(await runConfig(config, '', { env: { FROM_ENV: 'env', WHO: 'env' } }))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '1 top yes-top 3 env\n2 stage yes-top 3 overridden\n3 top env\n',
    });
  });

  it("runs every process in the config's folder: relative commands work from another cwd", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'tool.sh'), '#!/bin/sh\necho "tool in $(pwd)"\ncat\n');
    chmodSync(join(dir, 'bin', 'tool.sh'), 0o755);
    const config = writeConfig(
      dir,
      'stages:\n  - run: [./bin/tool.sh]\n  - run: "./bin/tool.sh | sed s/^/x/"\n',
    );
    expect(outcome(await runConfig(config, 'data\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: `xtool in ${dir}\nxtool in ${dir}\nxdata\n`,
    });
  });
});

describe('variables', () => {
  const config = (dir: string) =>
    writeConfig(
      dir,
      `stages:\n  - run: [printf, "%s\\n", "\${GREETING}", "\${WHO:-world}", "\${PUNCT:-!}"]\n`,
    );

  it(`takes \${NAME} and \${NAME:-default} from the environment`, async () => {
    const result = await runConfig(config(tempDir()), '', {
      env: { GREETING: 'hello', WHO: 'you' },
    });
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'hello\nyou\n!\n' });
  });

  it('lets --set win over the environment', async () => {
    const result = await runConfig(config(tempDir()), '', {
      env: { GREETING: 'hello', WHO: 'env' },
      args: ['--set', 'WHO=set', '--set', 'PUNCT=?'],
    });
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'hello\nset\n?\n' });
  });

  it(`passes $\${X} through as a literal \${X}`, async () => {
    const dir = tempDir();
    const file = writeConfig(dir, `stages:\n  - run: [printf, '%s\\n', '$\${X}', 'a$\${Y:-z}b']\n`);
    const result = await runConfig(file, '', { env: { X: 'not this', Y: 'nor this' } });
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: `\${X}\na\${Y:-z}b\n` });
  });

  it('reports an unset variable without default as file:line:column, exit 2, and runs nothing', async () => {
    const dir = tempDir();
    const file = writeConfig(
      dir,
      `stages:\n  - run: touch ran\n  - run: [grep, "\${MF_TEST_UNSET}"]\n`,
    );
    const result = await run(manifold, ['run', file], '', { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stdout.toString()).toBe('');
    // Line 3, column 17: where the value "${MF_TEST_UNSET}" starts.
    expect(result.stderr).toMatch(
      new RegExp(`^(manifold: )?${escapeRegExp(file)}:3:17: .*MF_TEST_UNSET.*\\n$`),
    );
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});

describe('kernel pipes between external commands', () => {
  it('yes then head -1 ends quietly with exit 0 and one y', async () => {
    const config = writeConfig(tempDir(), 'stages:\n  - run: yes\n  - run: head -1\n');
    expect(outcome(await runConfig(config))).toEqual({ exitCode: 0, stderr: '', stdout: 'y\n' });
  });

  it('connects two commands by one kernel pipe: the writer and the reader hold the same pipe', async () => {
    // Each stage records what its standard descriptor is: a pipe (a FIFO, not a socket pair),
    // and the same one for both, means no byte passes through manifold.
    const dir = tempDir();
    const config = writeConfig(
      dir,
      [
        'stages:',
        `  - run: w=$(stat -L -c '%F %d:%i' /proc/$$/fd/1); echo "$w" > writer; echo through`,
        `  - run: r=$(stat -L -c '%F %d:%i' /proc/$$/fd/0); echo "$r" > reader; cat`,
        '',
      ].join('\n'),
    );
    expect(outcome(await runConfig(config))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'through\n',
    });
    const writer = readFileSync(join(dir, 'writer'), 'utf8');
    expect(writer).toMatch(/^fifo \d+:\d+\n$/);
    expect(readFileSync(join(dir, 'reader'), 'utf8')).toBe(writer);
  });

  it('passes 50 MB through three cat stages byte for byte', async () => {
    const dir = tempDir();
    const data = randomBytes(50 * 1024 * 1024);
    writeFileSync(join(dir, 'big.bin'), data);
    const config = writeConfig(
      dir,
      'input: big.bin\nstages:\n  - run: cat\n  - run: [cat]\n  - run: cat\n',
    );
    const result = await runConfig(config);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(result.stdout.length).toBe(data.length);
    expect(sha256(result.stdout)).toBe(sha256(data));
  });
});

describe('pipefail', () => {
  it('fails with one line naming a named stage, its command and status', async () => {
    // yes ends by SIGPIPE when head exits: only the failing reader is reported.
    const config = writeConfig(
      tempDir(),
      'stages:\n  - run: yes\n  - name: picky\n    run: "head -1; exit 4"\n  - run: cat\n',
    );
    expect(outcome(await runConfig(config))).toEqual({
      exitCode: 1,
      stderr: 'manifold: stage picky (head -1; exit 4) exited with status 4\n',
      stdout: 'y\n',
    });
  });

  it('names an unnamed stage by its place, stages[2]', async () => {
    const config = writeConfig(
      tempDir(),
      "stages:\n  - run: cat\n  - run: cat\n  - run: [sh, -c, 'cat; exit 3']\n",
    );
    expect(outcome(await runConfig(config, 'a\n'))).toEqual({
      exitCode: 1,
      stderr: 'manifold: stage stages[2] (sh -c cat; exit 3) exited with status 3\n',
      stdout: 'a\n',
    });
  });

  it('names the signal that killed a stage', async () => {
    const config = writeConfig(
      tempDir(),
      'stages:\n  - run: cat\n  - name: victim\n    run: "kill -KILL $$"\n  - run: cat\n',
    );
    expect(outcome(await runConfig(config, 'a\n'))).toEqual({
      exitCode: 1,
      stderr: 'manifold: stage victim (kill -KILL $$) was killed by SIGKILL\n',
      stdout: '',
    });
  });

  it('fails when the first stage fails, even though the later ones succeed', async () => {
    const config = writeConfig(
      tempDir(),
      'stages:\n  - name: source\n    run: "echo a; exit 7"\n  - run: cat\n  - run: cat\n',
    );
    expect(outcome(await runConfig(config))).toEqual({
      exitCode: 1,
      stderr: 'manifold: stage source (echo a; exit 7) exited with status 7\n',
      stdout: 'a\n',
    });
  });

  it.each([
    ['an endless command', 'stages:\n  - run: yes\n'],
    ['an endless command and a cat', 'stages:\n  - run: yes\n  - run: [cat]\n'],
    ['an endless command and a fan', 'stages:\n  - run: yes\n  - fan:\n      worker: cat\n'],
  ])('with %s, | head -1 kills manifold by SIGPIPE, quietly', async (_, text) => {
    const config = writeConfig(tempDir(), text);
    const script = `${manifold} run '${config}' </dev/null | head -1; echo "\${PIPESTATUS[0]}"`;
    const result = await run('bash', ['-c', script], '', { timeout: 20_000 });
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'y\n141\n' });
  });
});

describe('fan stages in a pipeline', () => {
  const input = lines(1, 20_000, 'row ');

  it('a middle fan of cat (ordered) gives what the stages without it give', async () => {
    const dir = tempDir();
    const stages = [
      '  - run: sed s/row/r/',
      '  - fan:',
      '      workers: 3',
      '      block: 8K',
      '      merge: ordered',
      '      worker: cat',
      '  - run: [tr, r, R]',
    ];
    const fanned = writeConfig(dir, `stages:\n${stages.join('\n')}\n`, 'fanned.yaml');
    const plain = writeConfig(dir, `stages:\n${[stages[0], stages[6]].join('\n')}\n`, 'plain.yaml');
    const sequential = await runConfig(plain, input);
    expect(sequential.stdout.toString()).toBe(input.replace(/row/g, 'R'));
    expect(outcome(await runConfig(fanned, input))).toEqual(outcome(sequential));
  });

  it("a last fan writes a shell pipe (manifold's stdout) in order, every byte", async () => {
    // Written from the thread pool, unlike the pipes between stages: see orchestrator/fan/output.ts.
    const dir = tempDir();
    const config = writeConfig(
      dir,
      'stages:\n  - run: cat\n  - fan:\n      workers: 2\n      block: 8K\n      merge: ordered\n      worker: cat\n',
    );
    writeFileSync(join(dir, 'input'), input);
    const script = `${manifold} run '${config}' < '${join(dir, 'input')}' | cat; echo "\${PIPESTATUS[0]}" >&2`;
    const result = await run('bash', ['-c', script], '', { timeout: 20_000 });
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '0\n', stdout: input });
  });

  it('a fan of mf-map under the block protocol, ordered, gives the sequential output', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      [
        'stages:',
        '  - run: cat',
        '  - name: shout',
        '    fan:',
        '      workers: 3',
        '      block: 8K',
        '      merge: ordered',
        '      attribution: protocol',
        '      worker:',
        `        filter: ${bin('mf-map')}`,
        '        args: [\'r.toUpperCase() + "?"\']',
        '  - run: cat',
        '',
      ].join('\n'),
    );
    const sequential = await run(bin('mf-map'), ['r.toUpperCase() + "?"'], input);
    expect(sequential.stdout.toString()).toBe(input.replace(/row (\d+)/g, 'ROW $1?'));
    expect(outcome(await runConfig(config, input))).toEqual(outcome(sequential));
  });

  it('a worker given as stages (a sub-pipeline of commands) works, quoting kept', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      [
        'stages:',
        '  - fan:',
        '      workers: 2',
        '      block: 4K',
        '      merge: ordered',
        '      attribution: one-to-one',
        '      worker:',
        '        stages:',
        `          - run: [sed, -u, "s/row/it's \\"a\\"/"]`,
        `          - run: "sed -u 's/a/A/' # a comment"`,
        '',
      ].join('\n'),
    );
    expect(outcome(await runConfig(config, input))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: input.replace(/row/g, `it's "A"`),
    });
  });
});

describe('branches', () => {
  it('combine: concat gives the branch outputs in branch order, when the second finishes first', async () => {
    // The first branch can only write once the second has written all its output (more than a
    // pipe holds) and opened the gate: concat must hold the second's output until its turn.
    const dir = tempDir();
    await execa('mkfifo', [join(dir, 'gate')]);
    const config = writeConfig(
      dir,
      [
        'stages:',
        '  - branches:',
        '      first:',
        '        - run: cat >/dev/null; read go < gate; echo "first $go"',
        '      second:',
        '        - run: cat >/dev/null; seq 200000; echo open > gate',
        '    combine: concat',
        '',
      ].join('\n'),
    );
    const result = await runConfig(config, 'x\n', { timeout: 15_000 });
    expect(outcome(result)).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: `first open\n${lines(1, 200_000)}`,
    });
  });

  it('combine: merge gives every whole record of every branch', async () => {
    const dir = tempDir();
    // Long records, so that chunks of the two branches interleave unless cut at records.
    const input = Array.from({ length: 20_000 }, (_, i) => `${i}:${'x'.repeat(150)}\n`).join('');
    const config = writeConfig(
      dir,
      [
        'stages:',
        '  - branches:',
        '      a:',
        '        - run: sed s/^/a/',
        '      b:',
        '        - run: [sed, s/^/b/]',
        '        - run: cat',
        '    combine: merge',
        '',
      ].join('\n'),
    );
    const result = await runConfig(config, input);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    const expected = [...sorted(input).map((l) => `a${l}`), ...sorted(input).map((l) => `b${l}`)];
    expect(sorted(result.stdout)).toEqual(expected.sort());
  });

  it('combine: merge with split: nul keeps records that hold newlines whole', async () => {
    const dir = tempDir();
    const records = Array.from({ length: 5000 }, (_, i) => `${i}\n${'y'.repeat(100)}\n`);
    const config = writeConfig(
      dir,
      [
        'stages:',
        '  - branches:',
        '      a:',
        '        - run: cat',
        '      b:',
        '        - run: cat',
        '    combine: merge',
        '    split: nul',
        '',
      ].join('\n'),
    );
    const result = await runConfig(config, records.map((r) => `${r}\0`).join(''));
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    const got = result.stdout.toString().split('\0');
    expect(got.pop()).toBe('');
    expect(got.sort()).toEqual([...records, ...records].sort());
  });

  // A join command opens its inputs by name (/dev/fd/N). In the tests of what joins compute,
  // each branch writes more than a pipe holds, so it is still running when the join opens it;
  // a branch that has already finished is the subject of a test of its own.
  const users = (n: number) =>
    Array.from({ length: n }, (_, i) => `user${String(i).padStart(6, '0')}`);

  it('combine: join hands each branch to comm as {name}: a set difference', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      [
        'env:',
        '  LC_ALL: C',
        'stages:',
        '  - branches:',
        '      logins:',
        `        - run: awk '$2 == "login" { print $1 }'`,
        '        - run: sort -u',
        '      buyers:',
        `        - run: awk '$2 == "purchase" { print $1 }'`,
        '        - run: sort -u',
        '    join: comm -23 {logins} {buyers}',
        '',
      ].join('\n'),
    );
    // Every user logs in (twice), every third one buys: the others are the difference.
    const all = users(30_000);
    const events = all
      .flatMap((user, i) => [`${user} login`, ...(i % 3 === 0 ? [`${user} purchase`] : [])])
      .reverse()
      .concat(all.map((user) => `${user} login`));
    const expected = all.filter((_, i) => i % 3 !== 0);
    expect(outcome(await runConfig(config, `${events.join('\n')}\n`))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: `${expected.join('\n')}\n`,
    });
  });

  it('combine: join with paste {a} {b} puts the branches side by side', async () => {
    const config = writeConfig(
      tempDir(),
      [
        'stages:',
        '  - branches:',
        '      a:',
        '        - run: sed s/^/a/',
        '      b:',
        '        - run: [sed, s/^/b/]',
        '    combine: join',
        '    join: [paste, "{a}", "{b}"]',
        '',
      ].join('\n'),
    );
    const input = lines(1, 30_000);
    expect(outcome(await runConfig(config, input))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: input.replace(/^(\d+)$/gm, 'a$1\tb$1'),
    });
  });

  it('a join command that fails (diff finding a difference) fails the run, naming the stage', async () => {
    const dir = tempDir();
    const config = (second: string) =>
      writeConfig(
        dir,
        [
          'stages:',
          '  - name: compare',
          '    branches:',
          '      a:',
          '        - run: cat',
          '      b:',
          `        - run: ${second}`,
          '    join: diff {a} {b}',
          '',
        ].join('\n'),
      );
    const input = lines(1, 30_000);
    expect(outcome(await runConfig(config('cat'), input, { timeout: 10_000 }))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '',
    });
    const result = await runConfig(config('sed 2d'), input, { timeout: 10_000 });
    expect(outcome(result)).toEqual({
      exitCode: 1,
      stderr: expect.stringMatching(
        /^manifold: stage compare\S* \(diff .*\) exited with status 1\n$/,
      ),
      stdout: '2d1\n< 2\n',
    });
  });

  it('a join command gets the output of a branch that finished before it opened {name}', async () => {
    // Each branch closes its output and then waits at a gate until the join lets it go; only
    // then does the join open its inputs. In a shell, paste <(...) <(...) reads them all. (A join
    // stuck opening an input is ended by the timeout: SIGTERM, exit 143.)
    const dir = tempDir();
    await execa('mkfifo', [join(dir, 'gate-a'), join(dir, 'gate-b')]);
    const config = writeConfig(
      dir,
      [
        'stages:',
        '  - branches:',
        '      a:',
        '        - run: sed s/^/a/; exec >/dev/null; echo closed > gate-a',
        '      b:',
        '        - run: sed s/^/b/; exec >/dev/null; echo closed > gate-b',
        '    join: read x < gate-a; read y < gate-b; paste {a} {b}',
        '',
      ].join('\n'),
    );
    const result = await runConfig(config, lines(1, 3), { timeout: 5000 });
    expect(outcome(result)).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'a1\tb1\na2\tb2\na3\tb3\n',
    });
  });

  it('use: runs a named pipeline from pipelines, as a stage and inside a branch', async () => {
    const config = writeConfig(
      tempDir(),
      [
        'pipelines:',
        '  shout:',
        '    - run: tr a-z A-Z',
        '    - run: sed s/$/!/',
        'stages:',
        '  - use: shout',
        '  - branches:',
        '      again:',
        '        - use: shout',
        '      as_is:',
        '        - run: cat',
        '    combine: concat',
        '',
      ].join('\n'),
    );
    expect(outcome(await runConfig(config, 'hi\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'HI!!\nHI!\n',
    });
  });
});

// Signals: manifold started as a child of the test, its stages as processes we can watch.

function statOf(pid: number): { state: string; ppid: number; start: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), start: fields[19]! };
  } catch {
    return null;
  }
}

interface Proc {
  pid: number;
  start: string;
}

/** Every process below `root` now, with its start time (a reused pid has another). */
function descendants(root: number): Proc[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(Number(name));
    if (stat !== null) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(name)]);
  }
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const pid of children.get(queue.shift()!) ?? []) {
      const stat = statOf(pid);
      if (stat === null) continue;
      found.push({ pid, start: stat.start });
      onCleanup(() => {
        if (statOf(pid)?.start === stat.start) killQuietly(pid);
      });
      queue.push(pid);
    }
  }
  return found;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/**
 * The processes still there after up to `graceMs`, with their state (Z: a zombie). Orphans are
 * reaped by init, which takes a moment: there is no event for the end of a process that is not
 * our child, so this polls /proc.
 */
async function leftovers(procs: Proc[], graceMs: number): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const left = procs.flatMap(({ pid, start }) => {
      const stat = statOf(pid);
      if (stat === null || stat.start !== start) return [];
      let command = '';
      try {
        command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim();
      } catch {}
      return [`pid ${pid} in state ${stat.state}: ${command}`];
    });
    if (left.length === 0 || Date.now() >= deadline) return left;
    await delay(20);
  }
}

/** A child's stream as text, with a way to wait for a number of lines that match. */
function watch(stream: Readable) {
  let text = '';
  let ended = false;
  const waiters: (() => void)[] = [];
  stream.setEncoding('utf8');
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  stream.on('data', (chunk: string) => {
    text += chunk;
    wake();
  });
  stream.on('end', () => {
    ended = true;
    wake();
  });
  return {
    get text() {
      return text;
    },
    waitFor(pattern: RegExp, count: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = text.split('\n').filter((line) => pattern.test(line)).length;
          if (found >= count || ended) waiters.splice(waiters.indexOf(check), 1);
          if (found >= count) resolve();
          else if (ended)
            reject(new Error(`stderr ended before ${count} lines like ${pattern}:\n${text}`));
        };
        waiters.push(check);
        check();
      });
    },
  };
}

/** `promise`, or a failure saying `what` when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function spawnRun(config: string, env: Record<string, string>): ChildProcess {
  const child = spawn(manifold, ['run', config], {
    cwd: tempDir(),
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  onCleanup(() => {
    child.stdin?.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/**
 * Starts `config` (whose stages include `hanging` pipe-hang processes), waits until they all
 * hang, sends `signal`, and returns how manifold ended and what of its processes is left.
 */
async function interrupt(
  dir: string,
  config: string,
  hanging: number,
  signal: NodeJS.Signals,
  env: Record<string, string> = {},
) {
  const pids = join(dir, 'pids');
  mkdirSync(pids);
  const child = spawnRun(config, { PIPE_PIDS: pids, ...env });
  const stderr = watch(child.stderr!);
  child.stdout!.resume();
  // Input keeps coming: stdin stays open until manifold is gone.
  child.stdin!.write(lines(1, 1000));
  await within(
    stderr.waitFor(/^pipe-hang: ready \d+$/, hanging),
    10_000,
    `the stages did not all start:\n${stderr.text}`,
  );
  const family = descendants(child.pid!);
  const whileRunning = readdirSync(dir).filter((f) => f !== 'pids');
  child.kill(signal);
  const [code, killedBy] = await within(
    once(child, 'exit'),
    10_000,
    `manifold did not exit within 10 s of ${signal}`,
  );
  return {
    family,
    hung: readdirSync(pids).length,
    whileRunning,
    end: { code, killedBy },
    stderr: () => stderr.text,
  };
}

describe('signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'on %s while stages hang: exits %i, every process gone, no output file',
    async (signal, status) => {
      const dir = tempDir();
      const hang = fixture('pipe-hang');
      const config = writeConfig(
        dir,
        [
          'output: out.txt',
          'stages:',
          '  - run: cat',
          '  - name: fanned',
          '    fan:',
          '      workers: 2',
          `      worker: ${hang}`,
          `  - run: cat | ${hang}`,
          `  - run: [${hang}]`,
          '',
        ].join('\n'),
      );
      const { family, hung, whileRunning, end, stderr } = await interrupt(dir, config, 4, signal);
      // While it ran, the output went to a temporary file beside out.txt, its name unguessable.
      expect(whileRunning.sort()).toEqual([
        expect.stringMatching(/^\.out\.txt\.manifold-[0-9a-f]{16}\.tmp$/),
        'pipeline.yaml',
      ]);
      expect(hung).toBe(4);
      expect(family.length).toBeGreaterThanOrEqual(7);
      expect(end).toEqual({ code: status, killedBy: null });
      expect(await leftovers(family, 5000)).toEqual([]);
      expect(readdirSync(dir).sort()).toEqual(['pids', 'pipeline.yaml']);
      expect(stderr()).not.toMatch(/^manifold:|Error/m);
    },
  );

  it.each([
    ['SIGINT', 130, 'combine: concat'],
    ['SIGTERM', 143, 'combine: concat'],
    ['SIGINT', 130, 'combine: merge'],
    ['SIGTERM', 143, 'combine: merge'],
    ['SIGINT', 130, 'join: cat {stuck} {flowing}'],
    ['SIGTERM', 143, 'join: cat {stuck} {flowing}'],
  ] as const)(
    'on %s while a branch hangs: exits %i, every process gone, no output file (%s)',
    async (signal, status, combine) => {
      const dir = tempDir();
      const config = writeConfig(
        dir,
        [
          'output: out.txt',
          'stages:',
          '  - run: cat',
          '  - branches:',
          '      stuck:',
          `        - run: [${fixture('pipe-hang')}]`,
          '      flowing:',
          '        - run: cat',
          `    ${combine}`,
          '',
        ].join('\n'),
      );
      // A concat's spool folder goes too.
      const spools = tempDir();
      const { family, end, stderr } = await interrupt(dir, config, 1, signal, { TMPDIR: spools });
      expect(readdirSync(spools)).toEqual([]);
      expect({ ...end, stderr: stderr() }).toEqual({
        code: status,
        killedBy: null,
        stderr: expect.not.stringMatching(/manifold:|Error/),
      });
      expect(await leftovers(family, 5000)).toEqual([]);
      expect(readdirSync(dir).sort()).toEqual(['pids', 'pipeline.yaml']);
    },
  );
});

interface Stats {
  status: number;
  stages: {
    stage: string;
    command: string;
    pids: number[];
    exitCode: number | null;
    signal: string | null;
    bytesRead: number;
    bytesWritten: number;
  }[];
  edges: { from: string; to: string; bytes: number }[];
}

describe('--stats', () => {
  const statsConfig = (dir: string) =>
    writeConfig(
      dir,
      [
        'input: big.bin',
        'stages:',
        '  - name: first',
        '    run: echo $$ > first.pid; exec cat',
        '  - run: [cat]',
        '  - name: count',
        '    run: wc -c',
        '',
      ].join('\n'),
    );
  const bigInput = (dir: string) => writeFileSync(join(dir, 'big.bin'), Buffer.alloc(10e6, 'z'));

  it('- writes JSON on stderr: every stage with its pids and exit, and the edges', async () => {
    const dir = tempDir();
    bigInput(dir);
    const result = await runConfig(statsConfig(dir), '', { args: ['--stats', '-'] });
    expect({ exitCode: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      exitCode: 0,
      stdout: '10000000\n',
    });
    const stats = JSON.parse(result.stderr) as Stats;
    expect(stats.status).toBe(0);
    expect(
      stats.stages.map(({ stage, exitCode, signal }) => ({ stage, exitCode, signal })),
    ).toEqual(
      ['first', 'stages[1]', 'count'].map((stage) => ({ stage, exitCode: 0, signal: null })),
    );
    expect(stats.stages[0]!.pids).toEqual([Number(readFileSync(join(dir, 'first.pid'), 'utf8'))]);
    for (const stage of stats.stages) expect(stage.pids).toEqual([expect.any(Number)]);
    expect(stats.edges.map(({ from, to }) => ({ from, to }))).toEqual([
      { from: 'first', to: 'stages[1]' },
      { from: 'stages[1]', to: 'count' },
    ]);
  });

  it('counts the bytes of stages that moved 10 MB', async () => {
    // Byte counts are sampled from /proc every 100 ms: the first stage paces 10 MB over about
    // a second (timers for pacing, not for synchronisation), so every stage lives to be sampled.
    const dir = tempDir();
    const pace =
      "let n = 0; const t = setInterval(() => { process.stdout.write(Buffer.alloc(500000, 'z')); if (++n === 20) clearInterval(t); }, 50);";
    const config = writeConfig(
      dir,
      [
        'stages:',
        '  - name: first',
        `    run: [node, -e, "${pace}"]`,
        '  - run: [cat]',
        '  - name: count',
        '    run: [wc, -c]',
        '',
      ].join('\n'),
    );
    const result = await runConfig(config, '', { args: ['--stats', '-'] });
    expect(result.exitCode).toBe(0);
    const stats = JSON.parse(result.stderr) as Stats;
    const moved = stats.stages.map(({ stage, bytesRead, bytesWritten }) => ({
      stage,
      read: bytesRead > 0,
      written: bytesWritten > 0,
    }));
    expect(moved).toEqual([
      { stage: 'first', read: true, written: true },
      { stage: 'stages[1]', read: true, written: true },
      { stage: 'count', read: true, written: true },
    ]);
    for (const edge of stats.edges) expect(edge.bytes).toBeGreaterThan(0);
  });

  it('<file> writes the file, with the failing stage and the status', async () => {
    const dir = tempDir();
    const file = join(dir, 'stats.json');
    const config = writeConfig(dir, 'stages:\n  - run: "true"\n  - name: bad\n    run: exit 3\n');
    const result = await runConfig(config, '', { args: ['--stats', file] });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('manifold: stage bad (exit 3) exited with status 3\n');
    const stats = JSON.parse(readFileSync(file, 'utf8')) as Stats;
    expect(stats.status).toBe(1);
    expect(stats.stages.map(({ stage, exitCode }) => ({ stage, exitCode }))).toEqual([
      { stage: 'stages[0]', exitCode: 0 },
      { stage: 'bad', exitCode: 3 },
    ]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
