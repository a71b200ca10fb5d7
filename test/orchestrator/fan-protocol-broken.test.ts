import { describe, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { records } from '../support/lines.js';

// A `--protocol manifold` filter that writes to stdout itself breaks the block protocol: its
// bytes were read as a message header, for a block it was never given, with a length taken
// from whatever followed; the output was then dropped, or waited for until the filter ended
// ("exited with status 0 before finishing block 1"), or, for a few bytes at the end, lost
// without a word (exit 0). Now the worker fails, named, with what it did.

const BROKEN =
  /^manifold: worker \d \(pid \d+: \S+stdout-writer\.js .*\) wrote output that is not manifold's block protocol \(under --protocol manifold a filter's output must go through the SDK, not to stdout itself\)/;

describe.concurrent('--protocol manifold: output that is not the protocol', () => {
  const input = records(1, 100_000);

  it('bytes written to stdout in the middle of a block: the worker fails on that block', async ({
    expect,
  }) => {
    const args = ['-j', '2', '--block', '64K', '--merge', 'ordered', '--protocol', 'manifold'];
    const writer = [fixture('stdout-writer.js'), 'record', '50'];
    const result = await run(manifold, ['fan', ...args, '--', ...writer], input);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(BROKEN);
    expect(result.stderr).toMatch(/ on block 1 \(records 1-\d+\)\n$/);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  it('a byte written to stdout after the last output: the run fails, nothing lost quietly', async ({
    expect,
  }) => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--protocol', 'manifold', '--', fixture('stdout-writer.js'), 'flush'],
      input,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(BROKEN);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  it('console.log in the filter is a diagnostic on stderr, as in a thread: the output is whole', async ({
    expect,
  }) => {
    // It broke the protocol as any write to stdout does.
    const args = ['-j', '2', '--merge', 'ordered', '--protocol', 'manifold', '--'];
    const writer = [fixture('stdout-writer.js'), 'console', '50'];
    const result = await run(manifold, ['fan', ...args, ...writer], input);
    expect(result.stderr).toBe('a note\n');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString() === input).toBe(true);
  });
});
