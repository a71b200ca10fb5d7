import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numbered } from '../support/lines.js';
import { killQuietly } from '../support/proc.js';
import {
  collect,
  hasStackTrace,
  spawnManifold,
  waitForExit,
  watch,
  within,
} from '../support/spawn.js';
import { useHostsPerTest } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// The --ssh program found at the start, and gone mid-run: said as at the start, never as
// Node's `spawn ... ENOENT`, never a crash.

// Each test's hosts are stopped after it, and must leave no process behind.
const hosts = useHostsPerTest();

/** Two test hosts, and a copy of ssh to give --ssh, to be removed mid-run. */
async function setUp() {
  const test = await hosts(2);
  const dir = tempDir();
  const ssh = join(dir, 'myssh');
  copyFileSync(execFileSync('sh', ['-c', 'command -v ssh']).toString().trim(), ssh);
  return { test, dir, ssh, args: ['--ssh', test.ssh.replace(/^ssh /, `${ssh} `)] };
}

async function ended(child: ReturnType<typeof spawnManifold>) {
  const [stdout, exit] = await within(
    Promise.all([collect(child.stdout), waitForExit(child)]),
    60_000,
    'manifold did not end',
  );
  return { stdout, ...exit };
}

describe('manifold fan --host: the --ssh program gone mid-run', () => {
  it('a host connected to again: its reason names --ssh as the start does, not spawn ENOENT', async () => {
    const { test, ssh, args } = await setUp();
    const child = spawnManifold([
      ...['fan', ...args, '--host', 'h1/1', '--host', 'h2/1', '--per-block', '--block', '4K'],
      ...['--retries', '2', '--shell', '--', 'echo started >&2; exec sleep 600'],
    ]);
    const stderr = watch(child.stderr!);
    child.stdin!.write(numbered(1, 10_000));
    await stderr.waitFor(/^started$/, 2);
    rmSync(ssh);
    // h1's connection drops: connecting to it again needs ssh.
    for (const pid of test.hosts[0]!.processes()) killQuietly(pid);
    const end = await ended(child);
    expect(end.exitCode).toBe(1);
    const text = stderr.text;
    expect(text).not.toMatch(/ENOENT|spawn /);
    expect(hasStackTrace(text)).toBe(false);
    expect(text).toMatch(
      new RegExp(
        `^manifold: host h1 dropped for the rest of the run: .*--ssh ${ssh}: no such file$`,
        'm',
      ),
    );
  });

  it('at the end of a run with --transfer: the run ends as it would, no crash', async () => {
    const { dir, ssh, args } = await setUp();
    const go = join(dir, 'go');
    writeFileSync(join(dir, 'shipped.txt'), 'x\n');
    const input = numbered(1, 400);
    const child = spawnManifold(
      [
        ...['fan', ...args, '--host', 'h1/1', '--host', 'h2/1', '--per-block', '--block', '1K'],
        ...['--transfer', 'shipped.txt', '--merge', 'ordered', '--shell', '--'],
        `echo started >&2; until [ -e ${go} ]; do sleep 0.05; done; exec cat`,
      ],
      {},
      dir,
    );
    const stderr = watch(child.stderr!);
    child.stdin!.end(input);
    await stderr.waitFor(/^started$/, 2);
    rmSync(ssh);
    writeFileSync(go, '');
    const end = await ended(child);
    expect(hasStackTrace(stderr.text)).toBe(false);
    expect(stderr.text.replaceAll('started\n', '')).toBe('');
    expect(end.exitCode).toBe(0);
    expect(end.stdout.toString()).toBe(input);
  });
});
