import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// A stage killed by SIGPIPE is forgiven only when the pipe it writes to had lost its reader, as
// `yes` in `yes | head -1`: not when the SIGPIPE came from a pipe of its own (a child it wrote
// to that had ended) while the stage after it still read: forgiven, the run would end 0, its
// output cut short.

const tempDir = () => makeTempDir('manifold-pipe-inner-');

/**
 * Copies its input, and after 10 lines writes to a child (`true`) that it has waited for:
 * killed by SIGPIPE from its own pipe, its stdout's reader still there.
 */
const INNER = `["perl", "-e", "$| = 1; my $pid = open(my $p, '|-', 'true') or die; my $n = 0; while (<STDIN>) { print; if (++$n == 10) { waitpid($pid, 0); syswrite($p, 'x'); } }"]`;

describe('a stage killed by SIGPIPE from a pipe of its own', () => {
  it('in the middle fails the run, named: it was forgiven, exit 0 and 10 lines of 100000', async () => {
    const config = writeConfig(
      tempDir(),
      `stages:\n  - run: seq 1 100000\n  - name: inner\n    run: ${INNER}\n  - run: wc -l\n`,
    );
    const result = await runConfig(config);
    expect(outcome(result)).toEqual({
      exitCode: 1,
      stderr: expect.stringMatching(
        /^manifold: stage inner \(perl .*\) was killed by SIGPIPE while the stage after it still read: its output was cut short\n$/,
      ),
      stdout: '10\n',
    });
  });

  it('in the middle, into a file: the file is kept as it was', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'out.txt'), 'old\n');
    const config = writeConfig(
      dir,
      `output: out.txt\nstages:\n  - run: seq 1 100000\n  - name: inner\n    run: ${INNER}\n  - run: cat\n`,
    );
    const result = await runConfig(config);
    expect(result.exitCode).toBe(1);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('old\n');
  });

  it("last, manifold's stdout still read: fails the run, exit 1 (it ended by SIGPIPE, 141)", async () => {
    const config = writeConfig(
      tempDir(),
      `stages:\n  - run: seq 1 100000\n  - name: inner\n    run: ${INNER}\n`,
    );
    const script = `${manifold} run '${config}' </dev/null 2>&1 | wc -l; echo "\${PIPESTATUS[0]}"`;
    const result = await run('bash', ['-c', script], '', { timeout: 20_000 });
    // 10 lines and the failure's line, then manifold's status.
    expect(result.stdout.toString()).toBe('11\n1\n');
  });

  // Every output's reader is asked, not stdout's alone: asked of stdout only, a run written to a
  // descriptor given or a named pipe would end 141 as if its reader had gone, 10 lines of
  // 100000 written.
  it.each([
    ['a descriptor given, 3>&1', '/dev/fd/3', `"$0" run "$1" </dev/null 3>&1 2>/dev/null | wc -l`],
    [
      'a named pipe',
      'out.fifo',
      `wc -l < "$2" & "$0" run "$1" </dev/null 2>/dev/null; s=$?; wait; echo $s`,
    ],
  ])(
    'last, writing to %s still read: fails the run, exit 1 (it ended 141)',
    async (_kind, output, script) => {
      const dir = tempDir();
      const fifo = join(dir, 'out.fifo');
      execFileSync('mkfifo', [fifo]);
      const config = writeConfig(
        dir,
        `output: ${output}\nstages:\n  - run: seq 1 100000\n  - name: inner\n    run: ${INNER}\n`,
      );
      const status = `; echo "\${PIPESTATUS[0]}"`;
      const result = await run(
        'bash',
        ['-c', script + (output === '/dev/fd/3' ? status : ''), manifold, config, fifo],
        '',
        {
          timeout: 20_000,
        },
      );
      expect(result.stdout.toString()).toBe('10\n1\n');
    },
  );

  it('last, writing to a descriptor given whose reader stopped early (| head -1), is forgiven: 141', async () => {
    const config = writeConfig(tempDir(), 'output: /dev/fd/3\nstages:\n  - run: yes\n');
    const script = `"$0" run "$1" </dev/null 3>&1 | head -1; echo "\${PIPESTATUS[0]}"`;
    const result = await run('bash', ['-c', script, manifold, config], '', { timeout: 20_000 });
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'y\n141\n' });
  });

  it('a writer whose reader stopped early is forgiven, the reader a command, a fan or branches', async () => {
    for (const reader of [
      'run: head -1',
      'fan: {workers: 2, worker: head -1}',
      'branches: {a: [{run: head -1}], b: [{run: head -1}]}\n    combine: concat',
    ]) {
      const config = writeConfig(tempDir(), `stages:\n  - run: yes\n  - ${reader}\n`);
      const result = await runConfig(config);
      expect({ reader, ...outcome(result) }).toMatchObject({ reader, exitCode: 0, stderr: '' });
    }
  });
});
