import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { numbered } from '../support/lines.js';
import { collect, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { type TestHosts, useHostsPerTest } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// A host dropped mid-run: its slots move to the hosts left. Output its instances made before
// (held by --merge ordered for its turn) is still theirs: messages about it name the host it
// was made on, not the one its slot moved to. So is output read after its host was dropped.

const hosts = useHostsPerTest();

describe('manifold fan --host: output made on a host dropped since', () => {
  it('a record over --max-record in it names that host (it named the host the slot moved to)', async () => {
    const test = await hosts(2);
    const gate = join(tempDir(), 'gate');
    execFileSync('mkfifo', [gate]);
    // Slot 1 on h2, slot 2 on h1; blocks go round: 0 and 2 to slot 1, 1 and 3 to slot 2.
    // h2's first instance (block 0) waits at the gate: block 1's output is held for its turn.
    // h1's first (block 1) writes a record of 2 KiB; its next (block 3) hangs until h1 dies.
    const script = [
      'case $HOME in',
      `*/h2/home) mkdir $HOME/once 2>/dev/null && cat ${gate} >/dev/null; exec cat;;`,
      '*) if mkdir $HOME/once 2>/dev/null; then cat >/dev/null; head -c 2048 /dev/zero | tr "\\0" x; echo;',
      'else echo on-h1 >&2; exec sleep 600; fi;;',
      'esac',
    ].join('\n');
    const child = spawnManifold([
      ...['fan', '--ssh', test.ssh, '--host', 'h2/1', '--host', 'h1/1', '--block', '4K'],
      ...['--per-block', '--dispatch', 'round-robin', '--merge', 'ordered', '--retries', '1'],
      ...['--max-record', '1K', '--shell', '--', script],
    ]);
    const stderr = watch(child.stderr!);
    const stdout = collect(child.stdout);
    child.stdin!.end(numbered(1, 3000));
    await within(stderr.waitFor(/^on-h1$/, 1), 20_000, () => `no on-h1:\n${stderr.text}`);
    test.hosts[0]!.kill();
    // Dropped: block 3 is given again to slot 2, which now runs on h2.
    await stderr.waitFor(/^manifold: host h1 dropped for the rest of the run: /, 1);
    writeFileSync(gate, 'go\n');
    const [, exit] = await within(Promise.all([stdout, waitForExit(child)]), 60_000, 'no end');
    expect(exit.exitCode, stderr.text).toBe(1);
    expect(stderr.text).toMatch(
      /^manifold: host h1: worker 2 output of block 2 \(records \d+-\d+\): record is larger than the maximum record size 1 KiB/m,
    );
  }, 60_000);

  it('output read after its host was dropped, from a slot that moved there: --joblog and --stats name that host (they named the host the slot began on)', async () => {
    const dir = tempDir();
    const joblog = join(dir, 'jobs.tsv');
    const stats = join(dir, 'stats.json');
    const { exit, stdout, stderr } = await movedTwice(
      await hosts(3),
      ['--joblog', joblog, '--stats', stats],
      'cat',
    );
    expect(exit.exitCode, stderr).toBe(0);
    expect(stdout.split('\n').sort()).toEqual(['', 'abc', 'def', 'ghi']);
    const rows = readFileSync(joblog, 'utf8').trimEnd().split('\n').slice(1);
    const { hosts: perHost } = JSON.parse(readFileSync(stats, 'utf8')) as {
      hosts: { host: string; done: number }[];
    };
    // Block 1 (the log's Seq 1) failed on h1 and was done on h2.
    expect({
      joblog: rows.map((row) => row.split('\t').slice(0, 2).join(' ')).sort(),
      done: perHost.map(({ host, done }) => `${host} ${done}`),
    }).toEqual({ joblog: ['1 h2', '2 h2', '3 h3'], done: ['h1 0', 'h2 2', 'h3 1'] });
  }, 90_000);

  it('a record over --max-record in output read after its host was dropped names that host (it named the host the slot began on)', async () => {
    const long = 'head -c 2048 /dev/zero | tr "\\0" x; echo';
    const { exit, stderr } = await movedTwice(
      await hosts(3),
      ['--max-record', '1K'],
      `if [ "$MANIFOLD_WORKER" = 1 ]; then ${long}; else exec cat; fi`,
    );
    expect(exit.exitCode, stderr).toBe(1);
    expect(stderr).toMatch(
      /^manifold: host h2: worker 1 output of block 1 \(records 1-1\): record is larger than the maximum record size 1 KiB/m,
    );
  }, 90_000);

  it('a slot that moved stays on the host it moved to: one session there, not a new one on another host for each block', async () => {
    const test = await hosts(3);
    const sessions = sessionsNoted(test);
    // 12 blocks round the slots: slot 1's first hangs on h1 until h1 dies; it goes again on
    // h2 (the least busy host left), as do slot 1's three blocks after it.
    const child = spawnManifold([
      ...['fan', '--ssh', sessions.ssh, '--host', 'h1/1', '--host', 'h2/1', '--host', 'h3/1'],
      ...['--block', '2', '--per-block', '--dispatch', 'round-robin', '--retries', '1'],
      ...[
        '--shell',
        '--',
        'case $HOME in */h1/home) echo on-h1 >&2; exec sleep 600;; esac; exec cat',
      ],
    ]);
    const stderr = watch(child.stderr!);
    const stdout = collect(child.stdout);
    child.stdin!.end(numbered(1, 12));
    await within(stderr.waitFor(/^on-h1$/, 1), 30_000, () => `no on-h1:\n${stderr.text}`);
    test.hosts[0]!.kill();
    const [out, exit] = await within(Promise.all([stdout, waitForExit(child)]), 60_000, 'no end');
    expect(exit.exitCode, stderr.text).toBe(0);
    const lines = (text: string) => text.split('\n').sort();
    expect(lines(out.toString())).toEqual(lines(numbered(1, 12)));
    // Each slot's first session, and slot 1's on h2.
    expect(sessions.hosts()).toEqual(['h1', 'h2', 'h2', 'h3']);
  }, 90_000);

  it('a slot that moved moves on when the host it moved to is dropped too', async () => {
    const test = await hosts(3);
    const sessions = sessionsNoted(test);
    // Slot 1's first block hangs on h1 until h1 dies, and again on h2, where it moved, until
    // h2 dies: it and its three blocks after it are done on h3, the one host left.
    const script = [
      'case $HOME in',
      '*/h1/home) echo on-h1 >&2; exec sleep 600;;',
      '*/h2/home) if [ "$MANIFOLD_WORKER" = 1 ]; then echo on-h2 >&2; exec sleep 600; fi;;',
      'esac',
      'exec cat',
    ].join('\n');
    const child = spawnManifold([
      ...['fan', '--ssh', sessions.ssh, '--host', 'h1/1', '--host', 'h2/1', '--host', 'h3/1'],
      ...['--block', '2', '--per-block', '--dispatch', 'round-robin', '--retries', '2'],
      ...['--shell', '--', script],
    ]);
    const stderr = watch(child.stderr!);
    const stdout = collect(child.stdout);
    child.stdin!.end(numbered(1, 12));
    await within(stderr.waitFor(/^on-h1$/, 1), 30_000, () => `no on-h1:\n${stderr.text}`);
    test.hosts[0]!.kill();
    await within(stderr.waitFor(/^on-h2$/, 1), 30_000, () => `no on-h2:\n${stderr.text}`);
    test.hosts[1]!.kill();
    const [out, exit] = await within(Promise.all([stdout, waitForExit(child)]), 60_000, 'no end');
    expect(exit.exitCode, stderr.text).toBe(0);
    const lines = (text: string) => text.split('\n').sort();
    expect(lines(out.toString())).toEqual(lines(numbered(1, 12)));
    // Each slot's first session, slot 1's on h2, then slot 1's on h3, and slot 2's there if
    // it had a block left when h2 died.
    expect(['h1 h2 h2 h3 h3', 'h1 h2 h2 h3 h3 h3']).toContain(sessions.hosts().join(' '));
  }, 90_000);
});

/**
 * A fan on hosts h1, h2, h3 (slots 1, 2, 3) of three blocks, one line each, whose slot 1 moves
 * twice, reading output after the second move: blocks go round (round-robin), and slot 1's on
 * h1 hangs until the test kills h1. Dropped, h1's block goes again on slot 1, which moves to h2
 * (the least busy host left, h2 and h3 tied) and runs the shell `script` there; the end of its
 * output is held (fixtures/frames-held.mjs) until the test has killed h2 and h2 is dropped too.
 */
async function movedTwice(test: TestHosts, args: string[], script: string) {
  const dir = tempDir();
  // The relay says `held` here once it holds an instance's end, and lets it go when told.
  const server = createServer();
  const relay = new Promise<{ socket: Socket; held: Promise<void> }>((resolve) =>
    server.once('connection', (socket) => {
      const held = new Promise<void>((heard) =>
        socket.on('data', (text) => {
          if (String(text).includes('held')) heard();
        }),
      );
      resolve({ socket, held });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => server.close());
  const { port } = server.address() as AddressInfo;
  // ssh, but for the second session to h2: slot 1's, moved there (the first is slot 2's own).
  // Its frames go through the relay, which outlives the shell that manifold kills with h2: what
  // the killed ssh wrote is read after h2 was dropped.
  const ssh = join(dir, 'ssh');
  const relayed = `ssh "$@" | ${process.execPath} ${fixture('frames-held.mjs')} ${port}; exit`;
  writeFileSync(
    ssh,
    [
      '#!/bin/sh',
      'case "$*" in',
      `*" h2 "*"worker --stdio"*) mkdir ${dir}/h2-first 2>/dev/null ||`,
      `  if mkdir ${dir}/h2-second 2>/dev/null; then ${relayed}; fi;;`,
      'esac',
      'exec ssh "$@"',
    ].join('\n'),
    { mode: 0o755 },
  );
  const child = spawnManifold([
    ...['fan', '--ssh', `${ssh} ${test.ssh.split(' ').slice(1).join(' ')}`],
    ...['--host', 'h1/1', '--host', 'h2/1', '--host', 'h3/1', '--block', '4', '--per-block'],
    ...['--dispatch', 'round-robin', '--retries', '1', ...args, '--shell', '--'],
    `case $HOME in */h1/home) echo on-h1 >&2; exec sleep 600;; esac; ${script}`,
  ]);
  const stderr = watch(child.stderr!);
  const stdout = collect(child.stdout);
  child.stdin!.end('abc\ndef\nghi\n');
  const dropped = (host: string) =>
    within(
      stderr.waitFor(new RegExp(`^manifold: host ${host} dropped for the rest of the run: `), 1),
      30_000,
      () => `${host} not dropped:\n${stderr.text}`,
    );
  await within(stderr.waitFor(/^on-h1$/, 1), 30_000, () => `no on-h1:\n${stderr.text}`);
  test.hosts[0]!.kill();
  await dropped('h1');
  const { socket, held } = await within(relay, 30_000, () => `no relay:\n${stderr.text}`);
  await within(held, 30_000, () => `nothing held:\n${stderr.text}`);
  test.hosts[1]!.kill();
  await dropped('h2');
  socket.end('go\n');
  const [out, exit] = await within(Promise.all([stdout, waitForExit(child)]), 60_000, 'no end');
  return { exit, stdout: out.toString(), stderr: stderr.text };
}

/**
 * An --ssh for `test`'s hosts that notes the host of each session (`manifold worker --stdio`)
 * it opens; `hosts()` reads them, sorted.
 */
function sessionsNoted(test: TestHosts) {
  const dir = tempDir();
  const log = join(dir, 'sessions');
  const ssh = join(dir, 'ssh');
  writeFileSync(
    ssh,
    [
      '#!/bin/sh',
      'case "$*" in',
      `*"worker --stdio"*) for word; do case $word in h[0-9]) echo $word >> ${log};; esac; done;;`,
      'esac',
      'exec ssh "$@"',
    ].join('\n'),
    { mode: 0o755 },
  );
  return {
    ssh: `${ssh} ${test.ssh.split(' ').slice(1).join(' ')}`,
    hosts: () => readFileSync(log, 'utf8').trim().split('\n').sort(),
  };
}
