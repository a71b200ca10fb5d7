import { expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { fan } from '../support/fan-run.js';

// A transform whose promise nothing will ever settle leaves a filter process with nothing to
// wait for: Node then exits, and it exited 0 with the rest of the input dropped, without a word.
// Now that is a failure, in one line, exit 1; the records done before it are written.

it('a promise that never settles, with nothing left to settle it: exit 1, one line', async () => {
  const result = await run(fixture('never-settles.js'), [], 'a\nb\nc\nd\n');
  expect({
    exitCode: result.exitCode,
    stderr: result.stderr,
    stdout: result.stdout.toString(),
  }).toEqual({
    exitCode: 1,
    stderr:
      "never-settles: a promise of the filter's never settled, and nothing is left that could settle it\n",
    stdout: 'a\nb\n',
  });
});

// In a thread of manifold fan --threads the link to manifold kept the thread alive, so the same
// filter waited for ever (the run hung until --timeout). Now the link holds the thread only
// while it waits for a block: the thread fails as the process does, and so does the run.
it('in a thread, as in a process under the protocol: exit 1, the same line, nothing hangs', async () => {
  const input = 'a\nb\nc\nd\n';
  const args = ['-j', '1', '--merge', 'ordered'];
  // A hang is ended (SIGTERM) and shows as a wrong status, not as a process left behind.
  const runs = await Promise.all(
    [['--threads'], ['--protocol', 'manifold']].map((kind) =>
      fan([...args, ...kind, '--', fixture('never-settles.js')], input, { timeout: 20_000 }),
    ),
  );
  for (const result of runs) {
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^never-settles: worker 1: a promise of the filter's never settled, and nothing is left that could settle it\nmanifold: worker 1 \((thread|pid) \d+: .*\) exited with status 1 on block 1 \(records 1-4\)\n$/,
    );
  }
});
