import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { C, fan, OK, ok } from '../support/fan-run.js';
import { tempDir } from '../support/temp.js';

// --merge sorted --retries: a try that failed had its output checked as it came, so its records
// out of order (or one over --max-record) stopped the run, `not sorted by the key`, where the
// retry would have given the block (QA). The ready and ordered merges drop a failed try's
// output; so does the sorted merge now, and a done block's broken output still fails the run.

const input = 'c\na\nb\ne\nd\nf\n';

/** A worker whose first try of each block writes `bad` and fails; its retry sorts. */
const flaky = (dir: string, bad: string) =>
  `f=${dir}/$MANIFOLD_BLOCK; if [ ! -e $f ]; then touch $f; printf '${bad}'; exit 3; fi; sort`;

describe('--merge sorted --retries: a failed try’s output is not the block’s', () => {
  it.each([
    ['out of order', 'z\\ny\\n', []],
    ['a record over --max-record', 'zzzzzzzzzz\\n', ['--max-record', '5']],
  ])('per-block, a first try %s: each block retried, sorted, exit 0', async (_name, bad, more) => {
    const dir = tempDir('manifold-sorted-retries-');
    const args = ['-j', '2', '-N', '3', '--retries', '1', '--merge', 'sorted', ...more];
    const result = await fan([...args, '--shell', '--', flaky(dir, bad)], input, C);
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('a\nb\nc\nd\ne\nf\n');
  });

  it('--one-to-one: a worker whose try wrote out of order and failed: retried, sorted', async () => {
    const dir = tempDir('manifold-sorted-retries-');
    const once = join(dir, 'once');
    const worker = `if [ ! -e ${once} ]; then touch ${once}; read x; read y; printf 'z\\ny\\n'; exit 3; fi; cat`;
    const args = ['-j', '1', '-N', '3', '--one-to-one', '--retries', '1', '--merge', 'sorted'];
    const result = await fan([...args, '--shell', '--', worker], 'a\nb\nc\n', C);
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('a\nb\nc\n');
  });

  it('a try that ends well with its output out of order still fails the run, named', async () => {
    const args = ['-j', '2', '-N', '3', '--retries', '1', '--merge', 'sorted'];
    // Block 1 alone out of order (`c a b`; block 2, `d e f`, is sorted): named whichever ends first.
    const result = await fan([...args, '--', 'cat'], 'c\na\nb\nd\ne\nf\n', C);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: worker \d output of block 1 \(records 1-3\):2: not sorted by the key: /,
    );
  });
});
