import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numbered } from '../support/lines.js';
import { collect, finish, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { useHostsPerTest } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// Hosts dropped, against real sshd test hosts: the line naming every host when none is left,
// and --stats of the hosts left (killed hosts' blocks running elsewhere: fan-hosts-faults).

// Each test's hosts are stopped after it, and must leave no process behind.
const hosts = useHostsPerTest();

/** What --stats says of the run, its workers and its hosts. */
type Counts = Record<'blocks' | 'recordsIn' | 'bytesIn' | 'recordsOut' | 'bytesOut', number>;
interface Stats {
  totals: Counts;
  workers: (Counts & { exits: unknown[] })[];
  hosts: (Counts & { host: string; done: number; instances: number; failed: number })[];
}

const sum = <T>(items: T[], count: (item: T) => number) =>
  items.reduce((total, item) => total + count(item), 0);

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

  it('--stats per host after a host is dropped: no host has more blocks done than given, and the hosts add up to the run', async () => {
    const test = await hosts(2);
    const statsFile = join(tempDir(), 'stats.json');
    // On h1 the worker says so and hangs; on h2 it is cat. h1's two slots move to h2 once h1
    // is dropped, with the blocks they were given while h1 was connected to again: those
    // counted as given on h1 and done on h2 (h2: 12 blocks, 14 done).
    const child = spawnManifold([
      ...['fan', '--ssh', test.ssh, '--host', 'h1/2', '--host', 'h2/1', '--block', '8K'],
      ...['--per-block', '--merge', 'ordered', '--retries', '1', '--stats', statsFile],
      ...['--shell', '--'],
      'case $HOME in */h1/home) echo on-h1 >&2; exec sleep 600;; *) exec cat;; esac',
    ]);
    const stderr = watch(child.stderr!);
    const input = numbered(1, 20_000);
    child.stdin!.end(input);
    await stderr.waitFor(/^on-h1$/, 2);
    test.hosts[0]!.kill();
    const [stdout, exit] = await within(
      Promise.all([collect(child.stdout), waitForExit(child)]),
      60_000,
      'manifold did not end',
    );
    expect(exit.exitCode, stderr.text).toBe(0);
    expect(stdout.toString()).toBe(input);
    const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as Stats;
    const byHost = stats.hosts.map((h) => [h.host, h.blocks, h.done, h.failed]);
    // One block an instance: what was done there, and what failed there, was given there.
    for (const host of stats.hosts)
      expect(host.done + host.failed, `${byHost}`).toBeLessThanOrEqual(host.blocks);
    const { hosts: on, workers } = stats;
    expect({
      blocks: sum(on, (h) => h.blocks),
      recordsIn: sum(on, (h) => h.recordsIn),
      bytesIn: sum(on, (h) => h.bytesIn),
      instances: sum(on, (h) => h.instances),
    }).toEqual({
      blocks: sum(workers, (w) => w.blocks),
      recordsIn: sum(workers, (w) => w.recordsIn),
      bytesIn: sum(workers, (w) => w.bytesIn),
      instances: sum(workers, (w) => w.exits.length),
    });
    expect([
      sum(on, (h) => h.done),
      sum(on, (h) => h.bytesOut),
      sum(on, (h) => h.recordsOut),
    ]).toEqual([stats.totals.blocks, stats.totals.bytesOut, stats.totals.recordsOut]);
    expect(on.find((h) => h.host === 'h1')?.done).toBe(0);
  });
});
