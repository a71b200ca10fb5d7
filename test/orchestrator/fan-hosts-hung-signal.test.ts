import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan } from '../../orchestrator/index.js';
import { numbered } from '../support/lines.js';
import {
  commandOf,
  descendants,
  holdsWithin,
  killQuietly,
  leftovers,
  procsOf,
} from '../support/proc.js';
import { sink } from '../support/sink.js';
import { collect, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { type TestHost, useHostsPerTest } from '../support/sshd.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A signal while a host hangs: manifold stops at once, not after --host-timeout.

// Each test's hosts are stopped after it, and must leave no process behind.
const hosts = useHostsPerTest();

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

  // Its folder for the run (the --transfer's link) stays on a host that hangs: it was left
  // unsaid, where one that does not answer the removal is said (QA).
  it("a host that hangs keeps the run's folder: said in one line", async () => {
    const test = await hosts(2);
    const dir = tempDir();
    writeFileSync(join(dir, 'job.sh'), 'echo started >&2; exec sleep 600\n');
    const child = spawnManifold(
      [
        ...['fan', '--ssh', test.ssh, '--host', 'h1/1', '--host', 'h2/1', '--host-timeout', '120s'],
        ...['--transfer', 'job.sh', '--per-block', '--block', '4K', '--', 'sh', 'job.sh'],
      ],
      {},
      dir,
    );
    const stderr = watch(child.stderr!);
    child.stdin!.write(numbered(1, 10_000));
    await stderr.waitFor(/^started$/, 2);
    hang(test.hosts[0]!);
    child.kill('SIGTERM');
    const [, exit] = await within(
      Promise.all([collect(child.stdout), waitForExit(child)]),
      15_000,
      'manifold still ran 15 s after SIGTERM, with a host hung',
    );
    expect(exit.exitCode).toBe(143);
    const lines = stderr.text.split('\n').filter((line) => line !== '' && line !== 'started');
    expect(lines).toEqual([
      expect.stringMatching(/^manifold: host h1 .*stop/),
      expect.stringMatching(
        /^manifold: host h1: cannot remove this run's folder there \(runs\/[0-9a-f]+ in its manifold cache\): the host was dropped$/,
      ),
    ]);
  });

  /** `manifold fan`'s arguments, or `manifold run`'s with a config, for h1 and h2 by `ssh`. */
  const starts = {
    fan: (ssh: string) => [
      ...['fan', '--ssh', ssh, '--host-timeout', '120s', '--host', 'h1/1', '--host', 'h2/1'],
      ...['--', 'cat'],
    ],
    run: (ssh: string) => {
      const hostsOf = { list: ['h1/1', 'h2/1'], ssh, 'host-timeout': '120s' };
      const stages = [{ fan: { workers: 1, worker: 'cat' } }];
      return ['run', writeConfig(tempDir(), { hosts: hostsOf, stages })];
    },
  };
  for (const [command, argsOf] of Object.entries(starts)) {
    it(`manifold ${command}: SIGINT while a host that hangs is connected to: 130 at once, its ssh not left running`, async () => {
      // Every process of h1 stopped before manifold connects: the kernel takes the connection,
      // sshd never speaks, and ssh (ConnectTimeout 600) waits. A Ctrl-C then killed manifold
      // outright (no handler yet) and left that ssh running, detached.
      const test = await hosts(2);
      test.hosts[0]!.hang();
      const child = spawnManifold(argsOf(`${test.ssh} -o ConnectTimeout=600`));
      const toH1 = () =>
        descendants(child.pid!).filter((pid) =>
          / h1 manifold worker --probe$/.test(commandOf(pid)),
        );
      expect(await holdsWithin(() => toH1().length === 1, 10_000)).toBe(true);
      const ssh = procsOf(descendants(child.pid!));
      child.kill('SIGINT');
      const end = await within(finishOf(child), 10_000, 'manifold still ran 10 s after SIGINT');
      expect([end.exitCode, end.signal]).toEqual([130, null]);
      expect(await leftovers(ssh, 5_000)).toEqual([]);
      expect(end.stderr).toBe('');
    });
  }

  it('the library: an AbortSignal while a host that hangs is connected to rejects at once, its ssh not left running', async () => {
    // fan() loads its engine at its first call (orchestrator/index.ts), which under vitest is a
    // compile of its modules: 2.5 to 7.7 s with four copies of this test and two busy loops on
    // two cores, counted in the 10 s given below to see the ssh (it came 0.1 to 0.8 s after a
    // call with the engine loaded, 5.5 to 14 s after one without). Loaded first, the 10 s are
    // fan()'s own, as they are for a program that imports the built package.
    await import('../../orchestrator/api/fan.js');
    const test = await hosts(1);
    test.hosts[0]!.hang();
    const controller = new AbortController();
    const running = fan(
      ...[{ command: ['cat'], hosts: ['h1/1'], ssh: `${test.ssh} -o ConnectTimeout=600` }],
      { input: Readable.from(['a\n']), output: sink(), signal: controller.signal },
    ).catch((error: unknown) => error as Error);
    const toH1 = () =>
      descendants(process.pid).filter((pid) => / h1 manifold worker --probe$/.test(commandOf(pid)));
    // Should no such ssh be seen, say what fan() did.
    let settled = 'fan() still ran';
    void running.then((end) => {
      settled = `fan() had ended: ${end instanceof Error ? `${end.name}: ${end.message}` : 'resolved'}`;
    });
    expect(await holdsWithin(() => toH1().length === 1, 10_000), settled).toBe(true);
    const ssh = procsOf(toH1());
    controller.abort(new Error('enough'));
    const error = await within(running, 10_000, 'fan() still ran 10 s after its abort');
    expect((error as Error).name).toBe('AbortError');
    expect(await leftovers(ssh, 5_000)).toEqual([]);
  });

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
    for (const pid of h1.processes()) killQuietly(pid);
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

/** Its exit, stdout and stderr. */
async function finishOf(child: ReturnType<typeof spawnManifold>) {
  const [stdout, stderr, exit] = await Promise.all([
    collect(child.stdout),
    collect(child.stderr),
    waitForExit(child),
  ]);
  return { stdout, stderr: stderr.toString(), ...exit };
}
