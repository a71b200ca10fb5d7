import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { linesOf, numbered } from '../support/lines.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// `manifold run <config>`: branches and how they are combined (concat, merge, join), and use: of
// named pipelines.

const tempDir = () => makeTempDir('manifold-pipe-run-');

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
      stdout: `first open\n${numbered(1, 200_000)}`,
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
    const expected = [...linesOf(input).map((l) => `a${l}`), ...linesOf(input).map((l) => `b${l}`)];
    expect(linesOf(result.stdout).sort()).toEqual(expected.sort());
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
    const input = numbered(1, 30_000);
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
    const input = numbered(1, 30_000);
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
    const result = await runConfig(config, numbered(1, 3), { timeout: 5000 });
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
