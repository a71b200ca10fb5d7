import { describe, it } from 'vitest';
import { fan } from '../support/fan-run.js';
import { records } from '../support/lines.js';
import { useTestHosts } from '../support/sshd.js';

// `manifold fan --host h --protocol manifold -- cat`: cat is no SDK filter. The local fan says
// so in one line, status 2 (e4f911e); on a host, each worker's `cat: unrecognized option
// '--protocol'` and its usage came first, once per worker.

const test = useTestHosts(2);

const NOT_SPOKEN =
  /^manifold: worker \d \(h\d pid \d+: cat --protocol manifold --split lines\) does not speak manifold's block protocol: it (exited with status 1|wrote other output) before its greeting \(--protocol manifold runs SDK filters, that call defineFilter\(\.\.\.\)\.main\(\): run it without --protocol\)\n$/;

describe('--host, --protocol manifold with a command that does not speak it', () => {
  it('a command that refuses --protocol: one line, status 2, none of its usage', async ({
    expect,
  }) => {
    const result = await fan(
      [...test.args(2), '--protocol', 'manifold', '--', 'cat'],
      records(1, 100_000),
    );
    expect(result.stderr).toMatch(NOT_SPOKEN);
    expect(result.exitCode).toBe(2);
    expect(result.stdout.length).toBe(0);
  });

  it("an SDK filter's own stderr, after its greeting, is shown", async ({ expect }) => {
    const result = await fan(
      [...test.args(1), '--protocol', 'manifold', '--', 'mf-map', '(console.log("saw " + r), r)'],
      'a\nb\n',
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr.split('\n').sort()).toEqual(['', 'saw a', 'saw b']);
    expect(result.stdout.toString().split('\n').sort()).toEqual(['', 'a', 'b']);
  });
});
