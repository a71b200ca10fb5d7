import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { numbered } from '../support/lines.js';
import { commandOf, holdsWithin, writingIntoFullPipe } from '../support/proc.js';
import { collect, finish, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { type TestHosts, useHostsPerTest } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// Hosts that die, hang or lack manifold, and signals: against real sshd test hosts.

// Each test's hosts are stopped after it, and must leave no process behind.
const hosts = useHostsPerTest();

/** A worker that, on h1, says so and then hangs; elsewhere it is cat. */
const hangOnH1 = [
  '--shell',
  '--',
  'case $HOME in */h1/home) echo on-h1 >&2; exec sleep 600;; *) exec cat;; esac',
];

/** The processes a host runs for manifold (not its sshd), described. */
const running = (test: TestHosts) =>
  test.hosts.flatMap((host) => host.processes().map((pid) => `${host.name}: ${commandOf(pid)}`));

describe('manifold fan --host faults', () => {
  for (const merge of ['ordered', 'ready'] as const) {
    it(`a host killed mid-run: its blocks run on the other, each written once (--merge ${merge})`, async () => {
      const test = await hosts(2);
      const input = numbered(1, 20_000);
      const attribution = merge === 'ordered' ? ['--per-block'] : ['--one-to-one'];
      const statsFile = join(tempDir(), 'stats.json');
      const child = spawnManifold([
        ...['fan', '--ssh', test.ssh, '--host', 'h1/2', '--host', 'h2/1', '--block', '8K'],
        ...['--merge', merge, ...attribution, '--retries', '1', '--stats', statsFile, ...hangOnH1],
      ]);
      const stderr = watch(child.stderr!);
      child.stdin!.end(input);
      await stderr.waitFor(/^on-h1$/, 1);
      test.hosts[0]!.kill();
      const end = await ended(child);
      expect(end.exitCode).toBe(0);
      const lines = stderr.text.split('\n').filter((line) => line !== '' && line !== 'on-h1');
      expect(lines).toEqual([
        expect.stringMatching(/^manifold: host h1 dropped for the rest of the run: /),
      ]);
      const output = merge === 'ordered' ? end.stdout : sorted(end.stdout);
      expect(byteDiff(output, Buffer.from(input))).toEqual(sameBytes(Buffer.from(input)));
      // Every block was done on h2, by its own slot and h1's, which moved there.
      const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as {
        totals: { blocks: number };
        hosts: { host: string; slots: number[]; done: number; failed: number }[];
      };
      const [h1, h2] = stats.hosts;
      expect([h1!.host, h1!.done, h1!.failed > 0]).toEqual(['h1', 0, true]);
      expect([h2!.host, h2!.done]).toEqual(['h2', stats.totals.blocks]);
      expect(h2!.slots.length).toBeGreaterThan(1);
    });
  }

  it('a hung host (its link down, or every process of it stopped) is dropped after --host-timeout', async () => {
    // 6s, as the case below: h2's connection is timed by --host-timeout too, and took over 2s
    // once under the suite's load (3s left it a second of room).
    const test = await hosts(2);
    const input = numbered(1, 5_000);
    const child = spawnManifold([
      ...['fan', '--ssh', test.ssh, '--host', 'h1/1', '--host', 'h2/1', '--block', '4K'],
      ...['--host-timeout', '6s', '--merge', 'ordered', '--retries', '1', ...hangOnH1],
    ]);
    const stderr = watch(child.stderr!);
    child.stdin!.end(input);
    await stderr.waitFor(/^on-h1$/, 1);
    // Its link set down in a namespace; on loopback, every process of it stopped.
    const h1 = test.hosts[0]!;
    if (h1.linkDown !== undefined) h1.linkDown();
    else h1.hang();
    const end = await ended(child);
    expect(end.exitCode).toBe(0);
    expect(stderr.text).toMatch(
      /^manifold: host h1 dropped for the rest of the run: heard nothing for 6000ms \(--host-timeout\)$/m,
    );
    expect(byteDiff(end.stdout, Buffer.from(input))).toEqual(sameBytes(Buffer.from(input)));
    // The worker on a host cut off stops its command by itself, hearing nothing either.
    if (h1.linkDown === undefined) return;
    expect(
      await holdsWithin(
        () => test.hosts[0]!.processes().every((pid) => !/sleep 600/.test(commandOf(pid))),
        10_000,
      ),
    ).toBe(true);
  });

  it('a host that takes the connection and never answers is dropped after --host-timeout, not waited for', async () => {
    // Every process of h1 stopped before manifold connects: the kernel takes the connection,
    // sshd never speaks. ssh's own ConnectTimeout is set long, so only manifold's timer can end
    // the wait (it hung for ever before, with ssh's default of none). 6s, not 2s: h2's own
    // connection (ssh's handshake and a Node start there) is timed by the same option, and took
    // longer than 2s once at four test files at once on the AMD host: h2 dropped too, exit 1.
    const test = await hosts(2);
    test.hosts[0]!.hang();
    const input = numbered(1, 2_000);
    const child = spawnManifold([
      ...['fan', '--ssh', `${test.ssh} -o ConnectTimeout=600`, '--host-timeout', '6s'],
      ...['--host', 'h1/1', '--host', 'h2/1', '--merge', 'ordered', '--', 'cat'],
    ]);
    const stderr = watch(child.stderr!);
    child.stdin!.end(input);
    const end = await ended(child);
    expect(end.exitCode).toBe(0);
    expect(stderr.text).toMatch(
      /^manifold: host h1 dropped for the rest of the run: cannot connect: no answer within 6s \(--host-timeout\)\n$/,
    );
    expect(end.stdout.toString()).toBe(input);
  });

  it("a terminal's Ctrl-C (SIGINT to manifold's process group) reaches manifold alone: 130, no host lost or reconnected", async () => {
    const test = await hosts(2);
    const child = spawn(
      manifold,
      [
        ...['fan', '--verbose', '--ssh', test.ssh, '--host', 'h1/1', '--host', 'h2/1'],
        ...['--per-block', '--block', '4K', '--shell', '--', 'echo started >&2; exec sleep 600'],
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], detached: true },
    );
    onCleanup(() => child.kill('SIGKILL'));
    const stderr = watch(child.stderr!);
    child.stdin!.write(numbered(1, 10_000));
    await stderr.waitFor(/^started$/, 2);
    process.kill(-child.pid!, 'SIGINT');
    const end = await ended(child);
    expect(end.exitCode).toBe(130);
    // ssh, in the same group, was interrupted too: "host h1: ssh exited with status 255;
    // connecting again", and now and then "lost h2" and exit 1.
    expect(stderr.text).not.toMatch(/connecting again|lost h\d|dropped/);
    expect(await holdsWithin(() => running(test).length === 0, 10_000)).toBe(true);
  });

  it('every host gone: exit 1, naming them', async () => {
    const test = await hosts(1);
    const child = spawnManifold([
      ...['fan', '--ssh', test.ssh, '--host', 'h1/1', '--per-block', '--retries', '3', ...hangOnH1],
    ]);
    const stderr = watch(child.stderr!);
    child.stdin!.end(numbered(1, 100));
    await stderr.waitFor(/^on-h1$/, 1);
    test.hosts[0]!.kill();
    const end = await ended(child);
    expect(end.exitCode).toBe(1);
    expect(stderr.text).toMatch(/^manifold: host h1 dropped for the rest of the run: /m);
    // The worker whose instance found no host names none (it read '(no host yet: ...)').
    expect(stderr.text).toMatch(/^manifold: worker 1 \(case \$HOME in .*\) no host is left: h1: /m);
    expect(stderr.text).not.toMatch(/no host yet/);
  });

  it('a host without manifold: one line naming it, exit 127, before any input is read', async () => {
    const test = await hosts(2, { withoutManifold: [1] });
    const fifo = `${test.hosts[0]!.home}/never-written`;
    execFileSync('mkfifo', [fifo]);
    const child = spawnManifold([
      'fan',
      '--ssh',
      test.ssh,
      '--host',
      'h1',
      '--host',
      'h2',
      '--input',
      fifo,
      '--',
      'cat',
    ]);
    const end = await finish(child, 30_000);
    expect(end.exitCode).toBe(127);
    expect(end.stderr).toMatch(
      /^manifold: host h2: manifold \(--remote-manifold\) not found there: .*manifold.*\n$/,
    );
  });

  it('an unreachable host is dropped at the start; none reachable: exit 1', async () => {
    const test = await hosts(1);
    const one = spawnManifold([
      'fan',
      '--ssh',
      test.ssh,
      '--host',
      'h1/1',
      '--host',
      'nosuch.invalid',
      '--',
      'cat',
    ]);
    one.stdin!.end('a\nb\n');
    const end = await finish(one, 30_000);
    expect(end.exitCode).toBe(0);
    expect(end.stdout.toString()).toBe('a\nb\n');
    expect(end.stderr).toMatch(
      /^manifold: host nosuch.invalid dropped for the rest of the run: cannot connect: .+\n$/,
    );
    const none = spawnManifold(['fan', '--ssh', test.ssh, '--host', 'nosuch.invalid', '--', 'cat']);
    const failed = await finish(none, 30_000);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(
      /manifold: no host is left: nosuch.invalid: cannot connect: .+\n$/,
    );
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} leaves no process on any host`, async () => {
      const test = await hosts(2);
      const child = spawnManifold([
        ...[
          'fan',
          '--ssh',
          test.ssh,
          '--host',
          'h1/1',
          '--host',
          'h2/1',
          '--per-block',
          '--block',
          '4K',
        ],
        ...['--shell', '--', 'echo started >&2; exec sleep 600'],
      ]);
      const stderr = watch(child.stderr!);
      child.stdin!.write(numbered(1, 10_000));
      await stderr.waitFor(/^started$/, 2);
      expect(running(test).filter((line) => /sleep 600/.test(line))).toHaveLength(2);
      child.kill(signal);
      const end = await ended(child);
      expect(end.exitCode).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(await holdsWithin(() => running(test).length === 0, 10_000)).toBe(true);
    });
  }

  it('output not read for longer than --host-timeout: no host is taken for hung, nothing is lost', async () => {
    // Paused, a session's heartbeats wait unread in its pipe: its host was dropped ('heard
    // nothing for 2000ms'), and without --retries the run failed, its output cut short.
    // Blocks of 8M and --merge-memory 1M: each cat's output is more than the pipes, the ssh
    // channel and the merge can take, so the cats are held writing. A 1M block's output fits in
    // those, and every cat could end before the test looked, none then left writing: under load
    // (4 copies, 2 busy loops) 'the workers blocked...' failed 2 of 4 runs so, 1 of 4 with
    // --merge-memory 1M alone, and 0 of 12 as now.
    // --host-timeout 4s, not less: with 2s, twice at a load of 14-20 on two cores (other test
    // files and other work beside them), the case failed, a host dropped; at such a load a
    // process can wait for a core for seconds, and this case is about unread heartbeats.
    const test = await hosts(1);
    const child = spawnManifold([
      ...['fan', '--ssh', test.ssh, '--host', 'h1/2', '--host-timeout', '4s'],
      ...['--merge', 'ordered', '--block', '8M', '--merge-memory', '1M', '--', 'cat'],
    ]);
    const stderr = watch(child.stderr!);
    child.stdin!.on('error', () => {});
    const input = `${'x'.repeat(63)}\n`.repeat(1 << 18);
    child.stdin!.end(input);
    const cats = () => test.hosts[0]!.processes().filter((pid) => commandOf(pid) === 'cat');
    const paused = await holdsWithin(() => {
      const now = cats();
      return now.length > 0 && now.every(writingIntoFullPipe);
    }, 20_000);
    expect(paused, 'the workers blocked writing their output within 20 s').toBe(true);
    // Twice --host-timeout unread: no host may be dropped meanwhile.
    expect(await holdsWithin(() => /manifold:/.test(stderr.text), 8_000)).toBe(false);
    const end = await ended(child);
    expect(stderr.text).toBe('');
    expect(end.exitCode).toBe(0);
    expect(end.stdout.length).toBe(input.length);
  });

  it('SIGTERM while its output is not read: it ends, and leaves no process on any host', async () => {
    // The workers' output is paused (manifold's stdout is not read): a stopped worker's end
    // must still be heard, as local processes' is (fan-stop-paused.test.ts).
    const test = await hosts(1);
    const child = spawnManifold([
      ...['fan', '--ssh', test.ssh, '--host', 'h1/2', '--per-block', '--block', '4M'],
      ...['--', 'cat'],
    ]);
    const stderr = watch(child.stderr!);
    child.stdin!.on('error', () => {});
    child.stdin!.write(`${'x'.repeat(63)}\n`.repeat(1 << 18));
    const cats = () => test.hosts[0]!.processes().filter((pid) => commandOf(pid) === 'cat');
    const paused = await holdsWithin(() => {
      const now = cats();
      return now.length > 0 && now.every(writingIntoFullPipe);
    }, 20_000);
    expect(paused, 'the workers blocked writing their output within 20 s').toBe(true);
    child.kill('SIGTERM');
    const [code, signal] = await within(once(child, 'exit'), 10_000, () => 'manifold hung');
    expect([143, 'SIGTERM']).toContain(code ?? signal);
    expect(await holdsWithin(() => running(test).length === 0, 10_000)).toBe(true);
    expect(stderr.text).not.toMatch(/^manifold:/m);
  });
});

/** A run whose stderr is watched: its stdout and exit. */
async function ended(child: ChildProcess) {
  const [stdout, exit] = await within(
    Promise.all([collect(child.stdout), waitForExit(child)]),
    60_000,
    'manifold did not end',
  );
  return { stdout, ...exit };
}

function sorted(data: Buffer): Buffer {
  const lines = data.toString('latin1').split('\n');
  lines.pop();
  return Buffer.from(`${lines.sort(byNumber).join('\n')}\n`, 'latin1');
}

const byNumber = (a: string, b: string) => Number.parseInt(a, 10) - Number.parseInt(b, 10);
