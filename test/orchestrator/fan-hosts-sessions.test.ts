import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan, OK, ok, readStats } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { useTestHosts } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// A host with more slots than its sshd allows sessions over one connection (MaxSessions): more
// connections are opened as sshd refuses sessions, and the host is still one host.

const test = useTestHosts(1, { maxSessions: 2 });

const input = numbered(1, 3000);
const job = ['--block', '2K', '--per-block', '--merge', 'ordered', '--', 'tr', '0-9', 'a-j'];

describe('manifold fan --host: more slots than sshd MaxSessions', () => {
  it('5 slots over connections of one session each: output as locally, one host in --stats', async () => {
    const stats = join(tempDir(), 'stats.json');
    const [here, there] = await Promise.all([
      fan(['-j', '5', ...job], input),
      fan(['--ssh', test.ssh, '--host', 'h1/5', '--verbose', '--stats', stats, ...job], input),
    ]);
    expect(ok(here)).toEqual(OK);
    expect(there.exitCode).toBe(0);
    // sshd takes the probe and one session over each connection: four more are opened.
    expect(there.stderr.split('\n').filter((line) => / opened, for /.test(line))).toHaveLength(4);
    expect(there.stderr).toMatch(/^manifold: host h1: connection 5 opened, for 1 session$/m);
    expect(there.stdout.toString()).toBe(here.stdout.toString());
    const hosts = (readStats(stats) as unknown as { hosts: { host: string; slots: number[] }[] })
      .hosts;
    expect(hosts.map((host) => [host.host, host.slots])).toEqual([['h1', [1, 2, 3, 4, 5]]]);
  });
});
