import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { outcome } from '../support/pipeline.js';
import { tempDir } from '../support/temp.js';

// `manifold run -` (and check, graph): the config is read from stdin, as `-` means stdin to
// every Unix tool; its problems are named `stdin:line:column`, its paths are the current
// folder's; `-` is not taken for a file name (`cannot read the config: no such file`).

/** manifold with `args`, `stdin` on its stdin, in a folder of its own with in.txt. */
function inFolder(args: string[], stdin: string) {
  const dir = tempDir('manifold-stdin-config-');
  writeFileSync(join(dir, 'in.txt'), 'b\na\n');
  return run(manifold, args, stdin, { cwd: dir, timeout: 20_000 });
}

describe('a config read from stdin', () => {
  it('runs, its input relative to the current folder', async () => {
    const config = 'input: in.txt\nstages:\n  - run: sort\n  - run: [tr, a-z, A-Z]\n';
    const result = await inFolder(['run', '-'], config);
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'A\nB\n' });
  });

  it('may be JSON, which is YAML too', async () => {
    const config = JSON.stringify({ input: 'in.txt', stages: [{ run: 'sort' }] });
    const result = await inFolder(['run', '-'], config);
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'a\nb\n' });
  });

  it('has its problems at stdin:line:column, for check and run', async () => {
    const config = 'input: in.txt\nstages:\n  - fan:\n      wrkers: 3\n      worker: cat\n';
    const [checked, ran] = await Promise.all([
      inFolder(['check', '-'], config),
      inFolder(['run', '-'], config),
    ]);
    for (const result of [checked, ran]) {
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/^stdin:4:7: unknown key "wrkers" in stages\[0\]\.fan /);
    }
  });

  it.each([
    ['no input', '', 'it names no input'],
    // It read nothing from the stdin the config had taken, exit 0.
    ['input: /dev/stdin', 'input: /dev/stdin\n', 'its input /dev/stdin'],
    ['input: [/dev/fd/0]', 'input: [/dev/fd/0]\n', 'its input /dev/fd/0'],
  ])(
    'cannot leave its input to stdin, which it took (%s): exit 2, one line',
    async (_, input, why) => {
      // It said "give the config an input" to a config that had one (/dev/stdin).
      const result = await inFolder(['run', '-'], `${input}stages:\n  - run: cat\n`);
      expect(outcome(result)).toEqual({
        exitCode: 2,
        stderr: `manifold: the config was read from stdin, so its data cannot be too (${why}): give the config a file as its input, or give the config as a file\n`,
        stdout: '',
      });
    },
  );

  it('draws with graph -', async () => {
    const result = await inFolder(['graph', '-'], 'stages:\n  - name: s\n    run: cat\n');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toMatch(/^flowchart/);
  });

  // By a name of its own (/dev/stdin), or a pipe by its name (`<(make-config)`: /dev/fd/63),
  // the config's folder was /dev or /proc/<pid>/fd: its input not found there, its commands run
  // there (an output written into /dev), and /dev/stdin read as data too, after the config (QA).
  it('by the name /dev/stdin is stdin, as -: the current folder, and no data from it', async () => {
    const config = 'input: in.txt\nstages:\n  - run: sort\n  - run: pwd\n';
    const dir = tempDir('manifold-stdin-config-');
    writeFileSync(join(dir, 'in.txt'), 'b\na\n');
    const result = await run(manifold, ['run', '/dev/stdin'], config, { cwd: dir });
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: `${dir}\n` });
    const noInput = await inFolder(['run', '/dev/stdin'], 'stages:\n  - run: wc -c\n');
    expect(noInput.exitCode).toBe(2);
    expect(noInput.stderr).toMatch(
      /^manifold: the config was read from stdin, so its data cannot be too/,
    );
  });

  it('from a pipe by its name (bash <(...)) has its paths in the current folder', async () => {
    const dir = tempDir('manifold-stdin-config-');
    writeFileSync(join(dir, 'in.txt'), 'b\na\n');
    const config = "input: in.txt\nstages:\n  - run: sort\n  - run: 'cat; pwd'\n";
    const result = await run(
      'bash',
      ['-c', `"$1" run <(printf '%s' "$2") </dev/null`, 'bash', manifold, config],
      '',
      { cwd: dir },
    );
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: `a\nb\n${dir}\n` });
  });
});
