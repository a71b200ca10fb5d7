import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// A `/dev/fd/N` (N > 2) named in a config but not given by the shell, or given the wrong way, is
// one of the config's problems, said at its place as every other is, by check and by run alike,
// exit 2, not after the check without a place (exit 1), nor, for an input not open, as a file
// that does not exist. Asking whether the path exists is not enough: in manifold's own process
// 3 is open (Node's epoll), so the file "exists".

function manifoldIn(script: string, ...args: string[]) {
  const result = spawnSync('bash', ['-c', script, manifold, ...args], {
    encoding: 'utf8',
    timeout: 15_000,
    killSignal: 'SIGKILL',
  });
  return { status: result.status, stderr: result.stderr };
}

// Each config with the place of its descriptor, and the redirection that does not give it.
const CONFIGS = [
  ['input', 'input: /dev/fd/3\nstages:\n  - run: cat\n', '1:8', 'read input', '3<file', ''],
  [
    'input, second of a list',
    'input:\n  - FILE\n  - /dev/fd/3\nstages:\n  - run: cat\n',
    '3:5',
    'read input',
    '3<file',
    '',
  ],
  [
    'output',
    'input: FILE\nstages:\n  - run: cat\noutput: /dev/fd/3\n',
    '4:9',
    'write output',
    '3>file',
    '',
  ],
  [
    'input, not open',
    'input: /dev/fd/57\nstages:\n  - run: cat\n',
    '1:8',
    'read input',
    '57<file',
    '',
  ],
  [
    'output, read only',
    'input: FILE\nstages:\n  - run: cat\noutput: /dev/fd/3\n',
    '4:9',
    'write output',
    '3>file',
    '3</dev/null',
  ],
] as const;

describe('check and run: a descriptor the shell did not give', () => {
  it.each(CONFIGS)(
    'named as the %s is a config problem at its place, exit 2',
    (_key, text, at, what, give, redirect) => {
      const input = fileWith('manifold-check-fd-', 'a\n');
      const file = writeConfig(tempDir(), text.replace('FILE', input));
      const fd = give.replace(/\D.*/, '');
      const why =
        redirect !== ''
          ? 'is open for reading only'
          : fd === '57'
            ? 'is not open'
            : "is Node's own \\(an? [\\w-]+\\), not one manifold was given";
      const line = new RegExp(
        `^${file.replace(/[.]/g, '\\.')}:${at}: cannot ${what} "/dev/fd/${fd}": descriptor ${fd} ${why} \\(give it, as \`${give}\`\\)\\n$`,
      );
      for (const command of ['check', 'run']) {
        const said = manifoldIn(`"$0" ${command} "$1" </dev/null ${redirect}`, file);
        expect({ command, ...said }).toEqual({
          command,
          status: 2,
          stderr: expect.stringMatching(line),
        });
      }
    },
  );

  it.each([
    ['input', { input: '/dev/fd/3', stages: [{ run: 'cat' }] }, '3< <(echo a)'],
    ['output', { input: 'FILE', output: '/dev/fd/3', stages: [{ run: 'cat' }] }, '3>/dev/null'],
  ])('named as the %s and given, passes', (_key, config, give) => {
    const input = fileWith('manifold-check-fd-', 'a\n');
    const file = writeConfig(tempDir(), JSON.parse(JSON.stringify(config).replace('FILE', input)));
    expect(manifoldIn(`"$0" check "$1" ${give}`, file)).toEqual({ status: 0, stderr: '' });
  });
});
