import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// `output: /dev/fd/N` where N is a descriptor Node holds for itself (its event loop's epoll,
// eventfd and pipes sit at 3 and up), not one the shell gave (`57>file`): it passed the "is it
// open" check, and written to, manifold would die of SIGABRT (134) or hang deaf to SIGTERM.
// It is one line, as a descriptor not open is: a config problem at its place, exit 2.
// manifold is given 0-2 only here.

describe('output: a descriptor manifold was not given', () => {
  it.each([3, 4, 5, 8])('/dev/fd/%i, one of Node’s own, is one line at its place, exit 2', (fd) => {
    const config = writeConfig(tempDir(), {
      input: fileWith('manifold-own-fd-', 'a\n'),
      output: `/dev/fd/${fd}`,
      stages: [{ run: 'cat' }],
    });
    // SIGKILL: a manifold that wrote into its own loop's pipe heard no SIGTERM.
    const result = spawnSync(manifold, ['run', config], {
      encoding: 'utf8',
      timeout: 15_000,
      killSignal: 'SIGKILL',
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 2,
      stderr: expect.stringMatching(
        new RegExp(
          `^${config}:2:9: cannot write output "/dev/fd/${fd}": descriptor ${fd} is Node's own \\(an? [\\w-]+\\), not one manifold was given \\(give it, as \`${fd}>file\`\\)\\n$`,
        ),
      ),
    });
  });
});

describe('output: a descriptor given', () => {
  it('a pipe given twice (3>&1 | cat) is written, not taken for one of Node’s', () => {
    const config = writeConfig(tempDir(), {
      input: fileWith('manifold-own-fd-', 'a\nb\n'),
      output: '/dev/fd/3',
      stages: [{ run: 'cat' }],
    });
    const result = spawnSync('bash', ['-c', `"$0" run "$1" 3>&1 | cat`, manifold, config], {
      encoding: 'utf8',
    });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: 'a\nb\n',
      stderr: '',
    });
  });

  it('one open for reading only (3<file) is one line at its place, exit 2', () => {
    const input = fileWith('manifold-own-fd-', 'a\n');
    const config = writeConfig(tempDir(), {
      input,
      output: '/dev/fd/3',
      stages: [{ run: 'cat' }],
    });
    const result = spawnSync('bash', ['-c', `"$0" run "$1" 3<"$2"`, manifold, config, input], {
      encoding: 'utf8',
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 2,
      stderr: `${config}:2:9: cannot write output "/dev/fd/3": descriptor 3 is open for reading only (give it, as \`3>file\`)\n`,
    });
  });
});
