import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { bin, manifold, root } from '../helpers.js';

// What a command prints and ends, `--help`, `--version`, a completion script, a graph, was
// written with no look at whether it got there: `manifold --help > /dev/full` exited 0, as did
// every mf-* filter's, the text lost. It is output as any other now: `cannot write stdout: no
// space left on device (ENOSPC)`, exit 1, as `cat --help > /dev/full` says it; a reader gone is
// SIGPIPE for manifold (as its fan's output) and a quiet 0 for a filter (as its records').

async function intoFull(file: string, args: string[]) {
  // The descriptor itself, not a pipe execa would copy into the file.
  const fd = openSync('/dev/full', 'w');
  try {
    const child = spawn(file, args, { stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const [exitCode] = await once(child, 'close');
    return { exitCode, stderr: stderr.trimEnd() };
  } finally {
    closeSync(fd);
  }
}

const full = (name: string) => ({
  exitCode: 1,
  stderr: `${name}: cannot write stdout: no space left on device (ENOSPC)`,
});

describe('what a command shows, into /dev/full', () => {
  it.each([
    [['--help']],
    [['--version']],
    [['fan', '--help']],
    [['help', 'run']],
    [['table', 'get', '--help']],
    [['completion', 'bash']],
    [['graph', `${root}examples/word-frequency/pipeline.yaml`]],
  ])('manifold %j: said, exit 1', async (args) => {
    expect(await intoFull(manifold, args)).toEqual(full('manifold'));
  });

  it.each(['mf-map', 'mf-join', 'mf-unframe'])(
    '%s --help and --version: said, exit 1',
    async (name) => {
      expect(await intoFull(bin(name), ['--help'])).toEqual(full(name));
      expect(await intoFull(bin(name), ['--version'])).toEqual(full(name));
    },
  );

  it('written where stdout takes it: exit 0, nothing on stderr', async () => {
    const result = await execa(manifold, ['--version'], { stdin: 'ignore', reject: false });
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
