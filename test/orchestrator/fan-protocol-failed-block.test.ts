import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';

// A filter under the block protocol (a thread, or --protocol manifold) that throws on a record:
// the records it finished before go out in its block's place under --halt never and soon, as a
// process filter writes them before it exits. They were lost: `1 2 3 4` of a throw at 5 was
// nothing, and 1,399,999 finished records of one block were none.

const ways = [['--threads'], ['--protocol', 'manifold']];

describe('a block that fails under the protocol, without retries', () => {
  it.each(ways)('%s: its finished records are written, under never and soon', async (...way) => {
    for (const halt of ['never', 'soon']) {
      const result = await fan(
        ['-j', '1', ...way, '--halt', halt, '--', fixture('fail-at.js'), '5'],
        numbered(1, 10),
      );
      expect({ halt, exit: result.exitCode, out: result.stdout.toString() }).toEqual({
        halt,
        exit: 1,
        out: numbered(1, 4),
      });
    }
  });

  it.each(ways)('%s: also past what goes before the block ends (4 MiB)', async (...way) => {
    const result = await fan(
      [
        '-j',
        '1',
        ...way,
        '--block',
        '16M',
        '--halt',
        'never',
        '--',
        fixture('fail-at.js'),
        '700000',
      ],
      numbered(1, 800_000),
    );
    expect({
      exit: result.exitCode,
      out: result.stdout.toString() === numbered(1, 699_999),
    }).toEqual({
      exit: 1,
      out: true,
    });
  });
});
