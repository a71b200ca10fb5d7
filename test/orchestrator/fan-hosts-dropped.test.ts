import { afterEach, describe, expect, it } from 'vitest';
import { finish, spawnManifold } from '../support/spawn.js';
import { startHosts, type TestHosts } from '../support/sshd.js';

// Hosts dropped, against real sshd test hosts: the line naming every host when none is left.

const started: TestHosts[] = [];
// Each test's hosts are stopped after it, and must leave no process behind (stop() checks).
afterEach(async () => {
  for (const test of started.splice(0)) await test.stop();
});

async function hosts(count: number): Promise<TestHosts> {
  const test = await startHosts(count);
  started.push(test);
  return test;
}

describe('manifold fan --host: hosts dropped', () => {
  it("no host left: each host and why, with no stray ')' or '.' (a refused login read 'Permission denied (publickey).)')", async () => {
    const test = await hosts(1);
    const end = await finish(
      spawnManifold(['fan', '--ssh', test.ssh, '--host', 'nobody@h1/1', '--', 'cat']),
      30_000,
    );
    expect(end.exitCode).toBe(1);
    const [dropped, left, ...more] = end.stderr.split('\n');
    // ssh's own sentence, full stop and all, as the host's drop line gives it.
    const reason = /^manifold: host nobody@h1 dropped for the rest of the run: (.*\)\.)$/.exec(
      dropped!,
    )?.[1];
    expect(reason, end.stderr).toMatch(/^cannot connect: nobody@.*: Permission denied \(.*\)\.$/);
    expect(left).toBe(`manifold: no host is left: nobody@h1: ${reason!.slice(0, -1)}`);
    expect(more).toEqual(['']);
  });

  it("no host left, the reason ending in '(--host-timeout)': one pair of parentheses (it read '(--host-timeout))')", async () => {
    // Every process of both hosts stopped before manifold connects: neither answers.
    const test = await hosts(2);
    test.hosts[0]!.hang();
    test.hosts[1]!.hang();
    const end = await finish(
      spawnManifold([
        ...['fan', '--ssh', `${test.ssh} -o ConnectTimeout=600`, '--host-timeout', '1s'],
        ...['--host', 'h1/1', '--host', 'h2/1', '--', 'cat'],
      ]),
      30_000,
    );
    expect(end.exitCode).toBe(1);
    const why = 'cannot connect: no answer within 1s (--host-timeout)';
    expect(end.stderr).toBe(
      [
        `manifold: host h1 dropped for the rest of the run: ${why}`,
        `manifold: host h2 dropped for the rest of the run: ${why}`,
        `manifold: no host is left: h1: ${why}; h2: ${why}`,
        '',
      ].join('\n'),
    );
  });
});
