import { afterEach, describe, expect, it } from 'vitest';
import { numbered } from '../support/lines.js';
import { descendants, leftovers, procsOf } from '../support/proc.js';
import { collect, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { startHosts, type TestHost, type TestHosts } from '../support/sshd.js';

// A signal while a host hangs: manifold stops at once, not after --host-timeout.

const started: TestHosts[] = [];
afterEach(async () => {
  for (const test of started.splice(0)) await test.stop();
});

async function hosts(count: number): Promise<TestHosts> {
  const test = await startHosts(count);
  started.push(test);
  return test;
}

/** The host hangs: its link down in a namespace; on loopback, every process of it stopped. */
const hang = (host: TestHost) => (host.linkDown === undefined ? host.hang() : host.linkDown());

describe('manifold fan --host: a signal while a host hangs', () => {
  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} ends it within seconds (not --host-timeout), its ssh processes gone`, async () => {
      const test = await hosts(2);
      const child = spawnManifold([
        ...['fan', '--ssh', test.ssh, '--host', 'h1/1', '--host', 'h2/1', '--host-timeout', '120s'],
        ...['--per-block', '--block', '4K', '--shell', '--', 'echo started >&2; exec sleep 600'],
      ]);
      const stderr = watch(child.stderr!);
      child.stdin!.write(numbered(1, 10_000));
      await stderr.waitFor(/^started$/, 2);
      const ssh = procsOf(descendants(child.pid!));
      hang(test.hosts[0]!);
      child.kill(signal);
      const [, exit] = await within(
        Promise.all([collect(child.stdout), waitForExit(child)]),
        15_000,
        `manifold still ran 15 s after ${signal}, with a host hung (--host-timeout 120s)`,
      );
      expect(exit.exitCode).toBe(status);
      expect(await leftovers(ssh, 5_000)).toEqual([]);
      // The hung host is named, once; nothing else is said.
      const lines = stderr.text.split('\n').filter((line) => line !== '' && line !== 'started');
      expect(lines).toEqual([expect.stringMatching(/^manifold: host h1 .*stop/)]);
    });
  }

  it('a host being connected to again when the run ends: that ssh is ended, not left running', async () => {
    // h1's connection drops (its sshd's children killed) and its sshd stops: the connection
    // opened again waits. Without --retries the lost worker fails the run at once.
    const test = await hosts(2);
    const child = spawnManifold([
      ...[
        'fan',
        '--verbose',
        '--ssh',
        `${test.ssh} -o ConnectTimeout=600`,
        '--host-timeout',
        '120s',
      ],
      ...['--host', 'h1/1', '--host', 'h2/1', '--per-block', '--block', '4K'],
      ...['--shell', '--', 'echo started >&2; exec sleep 600'],
    ]);
    const stderr = watch(child.stderr!);
    child.stdin!.write(numbered(1, 10_000));
    await stderr.waitFor(/^started$/, 2);
    const h1 = test.hosts[0]!;
    process.kill(h1.sshd.pid!, 'SIGSTOP');
    for (const pid of h1.processes()) process.kill(pid, 'SIGKILL');
    await stderr.waitFor(/^manifold: host h1: .*connecting again$/, 1);
    const ssh = procsOf(descendants(child.pid!));
    const [, exit] = await within(
      Promise.all([collect(child.stdout), waitForExit(child)]),
      15_000,
      'manifold did not end',
    );
    expect(exit.exitCode).toBe(1);
    expect(await leftovers(ssh, 5_000)).toEqual([]);
    expect(stderr.text).not.toMatch(/dropped/);
  });
});
