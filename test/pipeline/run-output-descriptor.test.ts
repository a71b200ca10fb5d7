import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// `output: /dev/stdout` (or /dev/stderr, /dev/fd/N) names the descriptor manifold was given, as
// it does for `cat > /dev/stdout` in a shell. It was followed through /proc/self/fd/1 to the
// file the shell opened, and that file replaced by a temporary one: `manifold run x.yaml >> log`
// lost what log held. The test opens the file in append mode, as `>>` does.

describe('output: a descriptor manifold was given', () => {
  it.each([
    ['/dev/stdout', 1],
    ['/dev/stderr', 2],
    ['/dev/fd/1', 1],
    ['/proc/self/fd/2', 2],
    ['/dev/fd/3', 3],
  ] as const)('%s appends where the shell appends', (output, fd) => {
    const dir = tempDir();
    const log = join(dir, 'log');
    writeFileSync(log, 'before\n');
    const config = writeConfig(dir, {
      input: fileWith('manifold-output-fd-', 'a\nb\n'),
      output,
      stages: [{ run: 'cat' }],
    });
    const appended = openSync(log, 'a');
    const stdio: ('ignore' | number)[] = ['ignore', 'ignore', 'ignore', 'ignore'];
    stdio[fd] = appended;
    const result = spawnSync(manifold, ['run', config], { stdio });
    closeSync(appended);
    expect({ status: result.status, log: readFileSync(log, 'utf8') }).toEqual({
      status: 0,
      log: 'before\na\nb\n',
    });
  });

  it('a descriptor that is not open is one line at its place, exit 2', () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      input: fileWith('manifold-output-fd-', 'a\n'),
      output: '/dev/fd/57',
      stages: [{ run: 'cat' }],
    });
    const result = spawnSync(manifold, ['run', config], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 2,
      stderr: `${config}:2:9: cannot write output "/dev/fd/57": descriptor 57 is not open (give it, as \`57>file\`)\n`,
    });
  });
});
