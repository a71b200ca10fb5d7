import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// `input: /dev/fd/3` with the shell giving a pipe there (`3< <(cmd)`), as `cat /dev/fd/3` reads
// it in a shell: the run's cat, which reads a pipe input, was not given descriptor 3 and said
// `cat: /dev/fd/3: No such file or directory`, exit 1. Now it reads what the shell gave.

function runWith(script: string, config: string) {
  return spawnSync('bash', ['-c', script, manifold, config], { encoding: 'utf8' });
}

describe('input: a descriptor the shell gave', () => {
  it('/dev/fd/3, a pipe, is read', () => {
    const config = writeConfig(tempDir(), { input: '/dev/fd/3', stages: [{ run: 'cat' }] });
    const result = runWith(`"$0" run "$1" 3< <(printf 'a\\nb\\n')`, config);
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: 'a\nb\n',
      stderr: '',
    });
  });

  it('/dev/fd/4 after a file, in order', () => {
    const first = fileWith('manifold-input-fd-', 'first\n');
    const config = writeConfig(tempDir(), {
      input: [first, '/dev/fd/4'],
      stages: [{ run: 'cat' }],
    });
    const result = runWith(`"$0" run "$1" 4< <(echo piped)`, config);
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: 'first\npiped\n',
      stderr: '',
    });
  });

  it('one of Node’s own (not given) is one line at its place, exit 2', () => {
    const config = writeConfig(tempDir(), { input: '/dev/fd/3', stages: [{ run: 'cat' }] });
    const result = spawnSync(manifold, ['run', config], {
      encoding: 'utf8',
      timeout: 15_000,
      killSignal: 'SIGKILL',
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 2,
      stderr: expect.stringMatching(
        /^\/.*\/pipeline\.yaml:1:8: cannot read input "\/dev\/fd\/3": descriptor 3 is Node's own \(an? [\w-]+\), not one manifold was given \(give it, as `3<file`\)\n$/,
      ),
    });
  });
});
