import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';

// Node reads manifold's environment as UTF-8 text: a value that is not UTF-8 reaches the workers
// with U+FFFD for its bad bytes (docs/fan.md says so, and how to pass such a value: in the
// command's words). A test that fails the day Node passes it as it is, for the docs to change.

describe('an environment variable that is not UTF-8', () => {
  it('reaches a worker with U+FFFD; in the command, as it is', async () => {
    const show = 'printf %s "$FOO" | od -An -tx1 | tr -d " \\n"';
    const script = `FOO=$(printf 'caf\\351') "$0" fan -j 1 --shell -- '${show}'`;
    const inherited = await run('bash', ['-c', script, manifold], 'x\n');
    expect(inherited.stdout.toString()).toBe('636166efbfbd');
    const given = await run(
      manifold,
      ['fan', '-j', '1', '--shell', '--', `FOO=$(printf 'caf\\351'); ${show}`],
      'x\n',
    );
    expect(given.stdout.toString()).toBe('636166e9');
  });
});
