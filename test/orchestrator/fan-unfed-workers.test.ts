import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fileWith } from '../support/temp.js';

// A persistent worker given no block fails none: GNU parallel starts no job without data, and
// `echo a | parallel --pipe -j4 grep a` exits 0, and so does
// `echo a | manifold fan -j 4 -- grep a`: the workers given nothing are not started at all
// (fan-lazy-start counts the starts), so no grep of theirs runs on an empty input and fails
// the run with its "no match" (1).

const fan = (args: string[], input: string | Buffer) => run(manifold, ['fan', ...args], input);
const outcome = (result: Awaited<ReturnType<typeof fan>>) => ({
  exitCode: result.exitCode,
  stdout: result.stdout.toString(),
  stderr: result.stderr.toString(),
});

describe('workers given no block', () => {
  it.for([
    ['ready', []],
    ['round-robin', ['--dispatch', 'round-robin']],
    ['hash', ['--dispatch', 'hash']],
    ['ordered, one-to-one', ['--merge', 'ordered', '--one-to-one']],
  ] as const)('%s: grep that found its line in the one block exits 0', async ([, mode]) => {
    expect(outcome(await fan(['-j', '4', ...mode, '--', 'grep', 'a'], 'a\n'))).toEqual({
      exitCode: 0,
      stdout: 'a\n',
      stderr: '',
    });
  });

  it('from a file too (its blocks ranges of it)', async () => {
    const file = fileWith('manifold-unfed-', 'a\n');
    expect(outcome(await fan(['-j', '4', '--input', file, '--', 'grep', 'a'], ''))).toEqual({
      exitCode: 0,
      stdout: 'a\n',
      stderr: '',
    });
  });

  it('an empty input fails no worker, as parallel runs no job for it', async () => {
    expect(outcome(await fan(['-j', '2', '--', 'sh', '-c', 'exit 3'], ''))).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('the worker given the block fails still, and is named with it', async () => {
    const result = outcome(
      await fan(['-j', '3', '--', 'sh', '-c', 'cat >/dev/null; exit 3'], 'a\nb\n'),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: worker \d \(pid \d+: sh -c cat >\/dev\/null; exit 3\) exited with status 3; it had been given block 1 \(bytes 1-4\)\n$/,
    );
  });

  it('one that ends before the input does, given nothing yet, fails still (false reads none)', async () => {
    // Excused only once the input has ended with nothing for it: `false` exits before its first
    // block comes, and the blocks still to come were its (fan-input-pipe has the open pipe).
    const result = outcome(await fan(['-j', '1', '--', 'false'], 'a\n'.repeat(100_000)));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^manifold: worker 1 \(pid \d+: false\) exited with status 1/);
  });

  it('one that would kill itself given nothing is never started; one given a block that is fails', async () => {
    // Before they were started, the first excused and the second one failing the run.
    const unfed = 'if read -r line; then echo "$line"; else kill -9 $$; fi';
    expect(outcome(await fan(['-j', '2', '--shell', '--', unfed], 'a\n'))).toEqual({
      exitCode: 0,
      stdout: 'a\n',
      stderr: '',
    });
    const fed = 'read -r line && echo "$line" && kill -9 $$';
    const result = outcome(await fan(['-j', '2', '--shell', '--', fed], 'a\n'));
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('a\n');
    expect(result.stderr).toMatch(/was killed by SIGKILL; it had been given block 1/);
  });
});
