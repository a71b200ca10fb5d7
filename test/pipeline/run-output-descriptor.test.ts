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
    // Stdin's names too: /dev/stdin was followed to the file and replaced, /dev/fd/0 had its
    // temporary file made in /dev/fd (exit 1).
    ['/dev/stdin', 0],
    ['/dev/fd/0', 0],
    ['/proc/self/fd/0', 0],
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

  // Stdin is mostly open to read only (`< file`, a pipe): its file was replaced by the run (as
  // the shell's `cat > /dev/stdin < f` replaces it), and a pipe failed on a temporary file in
  // /dev/fd, exit 1; `check` passed. Said as for `3<file`, at its place, by both.
  it.each(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0'])(
    '%s open to read only is a problem at its place, by check and run: nothing replaced',
    (output) => {
      const dir = tempDir();
      const victim = join(dir, 'victim');
      writeFileSync(victim, 'victim\n');
      const config = writeConfig(dir, {
        input: fileWith('manifold-output-fd-', 'a\n'),
        output,
        stages: [{ run: 'cat' }],
      });
      const line = `${config}:2:9: cannot write output "${output}": descriptor 0 is open for reading only (give it, as \`0>file\`)\n`;
      for (const script of [
        '"$0" check "$1" < victim',
        '"$0" run "$1" < victim',
        'echo x | "$0" run "$1"',
      ]) {
        const result = spawnSync('sh', ['-c', script, manifold, config], {
          cwd: dir,
          encoding: 'utf8',
        });
        expect({ script, status: result.status, stderr: result.stderr }).toEqual({
          script,
          status: 2,
          stderr: line,
        });
      }
      expect(readFileSync(victim, 'utf8')).toBe('victim\n');
    },
  );

  // Written as it is, a descriptor may be the input: `< f >> f` read what it wrote, as `cat`
  // refuses to (`input file is output file`), the file growing.
  it.each([
    ['/dev/stdout', '"$0" run "$1" < f >> f'],
    ['/dev/stdin', '"$0" run "$1" 0<> f'],
  ])("%s that is stdin's file is refused, as stdout is", (output, script) => {
    const dir = tempDir();
    const f = join(dir, 'f');
    writeFileSync(f, 'a\nb\n');
    const config = writeConfig(dir, { output, stages: [{ run: 'cat' }] });
    const result = spawnSync('sh', ['-c', script, manifold, config], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect([result.status, result.stderr, readFileSync(f, 'utf8')]).toEqual([
      2,
      'manifold: stdin: input file is output file\n',
      'a\nb\n',
    ]);
  });
});
