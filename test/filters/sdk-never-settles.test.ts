import { expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';

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
