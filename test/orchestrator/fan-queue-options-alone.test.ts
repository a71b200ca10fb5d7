import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// The coordinator's own options without --queue were taken and ignored: `manifold fan --output
// out.txt -- cat` wrote the output to stdout, and out.txt never came. As --cleanup needs hosts
// (--host), each is now a usage error naming what it needs.

describe.concurrent('manifold fan: a --queue option without --queue', () => {
  it.each([
    ['--output', `${tempDir()}/out.txt`],
    ['--job', 'nightly'],
    ['--ack-wait', '5s'],
    ['--queue-timeout', '5s'],
  ])('%s is refused, naming --queue', async (flag, value) => {
    const result = await run(manifold, ['fan', flag, value, '--', 'cat'], 'a\n');
    expect(result.stderr).toBe(
      `manifold: ${flag} needs a queue (--queue) (see 'manifold fan --help')\n`,
    );
    expect(result.exitCode).toBe(2);
    expect(result.stdout.length).toBe(0);
  });
});
