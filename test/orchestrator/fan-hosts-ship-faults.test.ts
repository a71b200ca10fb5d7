import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numbered } from '../support/lines.js';
import { descendants, holdsWithin, leftovers, procsOf } from '../support/proc.js';
import { collect, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { type TestHosts, useHostsPerTest } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// A host that dies while --transfer ships to it, against real sshd test hosts.

// Each test's hosts are stopped after it, and must leave no process behind.
const hosts = useHostsPerTest();

/** Bytes written so far into the files being received under `home`'s cache (`<hash>.tmp-<pid>`). */
function receiving(home: string): number {
  const root = join(home, '.cache', 'manifold', 'files');
  try {
    return readdirSync(root)
      .filter((name) => name.includes('.tmp-'))
      .reduce((sum, name) => sum + statSync(join(root, name, 'data')).size, 0);
  } catch {
    return 0;
  }
}

describe('manifold fan --host --transfer: a host that dies while it is shipped to', () => {
  it('is dropped with one line naming it, and the run goes on on the others', async () => {
    const test = await hosts(2);
    const { child, stderr, input } = shipping(test, Buffer.alloc(64 * 1024 * 1024));
    const h1 = test.hosts[0]!;
    // Part of the file is on h1: the coordinator is writing it.
    expect(await holdsWithin(() => receiving(h1.home) > 0, 20_000)).toBe(true);
    h1.kill();
    const [stdout, exit] = await within(
      Promise.all([collect(child.stdout), waitForExit(child)]),
      60_000,
      'manifold did not end',
    );
    // It said 'manifold: Error: write EPIPE' (or 'cannot ship to h1: ...') and failed, exit 1.
    expect(stderr.text).toMatch(
      /^manifold: host h1 dropped for the rest of the run: cannot ship: .+\n$/,
    );
    expect(exit.exitCode).toBe(0);
    expect(stdout.toString()).toBe(input);
  });

  it('SIGINT while shipping: 130 at once, and no host said dropped (both were, as cannot ship)', async () => {
    const test = await hosts(2);
    const dir = tempDir();
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(64 * 1024 * 1024));
    const child = spawnManifold(
      [
        ...['fan', '--ssh', test.ssh, '--host', 'h1/1', '--host', 'h2/1'],
        ...['--transfer', 'big.bin', '--', 'cat'],
      ],
      {},
      dir,
    );
    const stderr = watch(child.stderr!);
    child.stdin!.end('a\n');
    expect(await holdsWithin(() => receiving(test.hosts[0]!.home) > 0, 20_000)).toBe(true);
    child.kill('SIGINT');
    const [, exit] = await within(
      Promise.all([collect(child.stdout), waitForExit(child)]),
      10_000,
      'manifold still ran 10 s after SIGINT',
    );
    expect([exit.exitCode, stderr.text]).toEqual([130, '']);
  });

  it('SIGINT while shipping to a host that hangs: 130 at once, no ssh left running', async () => {
    const test = await hosts(2);
    const dir = tempDir();
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(64 * 1024 * 1024));
    const child = spawnManifold(
      [
        ...[
          'fan',
          '--ssh',
          `${test.ssh} -o ConnectTimeout=600`,
          '--host',
          'h1/1',
          '--host',
          'h2/1',
        ],
        ...['--transfer', 'big.bin', '--', 'cat'],
      ],
      {},
      dir,
    );
    child.stdin!.end('a\n');
    expect(await holdsWithin(() => receiving(test.hosts[0]!.home) > 0, 20_000)).toBe(true);
    test.hosts[0]!.hang();
    const ssh = procsOf(descendants(child.pid!));
    child.kill('SIGINT');
    const [, exit] = await within(
      Promise.all([collect(child.stdout), waitForExit(child)]),
      10_000,
      'manifold still ran 10 s after SIGINT',
    );
    expect(exit.exitCode).toBe(130);
    expect(await leftovers(ssh, 5_000)).toEqual([]);
  });

  it('a host whose disk is full is dropped, saying so (it said: ssh exited with status 1)', async (ctx) => {
    const test = await hosts(2);
    // h1's cache on a 1 MiB tmpfs, mounted where its sshd sees it (its own mount namespace
    // in a network namespace); root only, as the tests' hosts in namespaces are.
    const cache = join(test.hosts[0]!.home, '.cache');
    mkdirSync(cache);
    const inHost = (argv: string[]) =>
      execFileSync('nsenter', ['-t', String(test.hosts[0]!.sshd.pid), '-m', ...argv], {
        stdio: 'ignore',
      });
    try {
      inHost(['mount', '-t', 'tmpfs', '-o', 'size=1M', 'tmpfs', cache]);
    } catch {
      ctx.skip();
    }
    try {
      await fullDisk(test);
    } finally {
      inHost(['umount', cache]);
    }
  });
});

/** A fan shipping 8 MiB to h1, whose disk is full, and h2. */
async function fullDisk(test: TestHosts): Promise<void> {
  const { child, stderr, input } = shipping(test, Buffer.alloc(8 * 1024 * 1024, 1));
  const [stdout, exit] = await within(
    Promise.all([collect(child.stdout), waitForExit(child)]),
    60_000,
    'manifold did not end',
  );
  expect(stderr.text).toMatch(
    /^manifold: host h1 dropped for the rest of the run: cannot ship: .*no space left on device.*\n$/,
  );
  expect(exit.exitCode).toBe(0);
  expect(stdout.toString()).toBe(input);
}

/** A fan over h1 and h2 that ships `file` to each (`--transfer big.bin`), given 1000 lines. */
function shipping(test: TestHosts, file: Buffer) {
  const dir = tempDir();
  writeFileSync(join(dir, 'big.bin'), file);
  const input = numbered(1, 1000);
  const child = spawnManifold(
    [
      ...['fan', '--ssh', test.ssh, '--host', 'h1/1', '--host', 'h2/1'],
      ...['--transfer', 'big.bin', '--merge', 'ordered', '--', 'cat'],
    ],
    {},
    dir,
  );
  const stderr = watch(child.stderr!);
  child.stdin!.end(input);
  return { child, stderr, input };
}
