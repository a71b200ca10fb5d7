import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { escapeRegExp } from '../support/lines.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// `manifold run <config>`: how stages' commands are run (a shell for strings, none for arrays, in
// the config's folder, with its env) and how ${NAME} variables are filled in.

const tempDir = () => makeTempDir('manifold-pipe-run-');

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
    // Line 3, column 18: where ${MF_TEST_UNSET} starts, inside the value's quotes.
    expect(result.stderr).toMatch(
      new RegExp(`^(manifold: )?${escapeRegExp(file)}:3:18: .*MF_TEST_UNSET.*\\n$`),
    );
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});
