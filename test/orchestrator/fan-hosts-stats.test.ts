import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { fan, statsOf } from '../support/fan-run.js';
import { useTestHosts } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// --stats and --progress of a fan on hosts, against real sshd test hosts: per instance and per
// host (a host dropped mid-run: fan-hosts-faults.test.ts).

const test = useTestHosts(2);

const input = 'abc\ndef\nghi\n';

/** What --stats says of a worker, and of a host. */
type Counts = Record<'blocks' | 'recordsIn' | 'bytesIn' | 'recordsOut' | 'bytesOut', number>;
type PerWorker = Counts & { exits: unknown[] };
type PerHost = Counts & {
  host: string;
  slots: number[];
  done: number;
  instances: number;
  failed: number;
};

describe('manifold fan --host: --stats and --progress', () => {
  it('--stats names the host each instance ran on', async () => {
    const result = await fan(
      [...test.args(), '--per-block', '--block', '4', '--stats', '-', '--', 'cat'],
      input,
    );
    expect(result.exitCode).toBe(0);
    const hostsSeen = new Set(
      statsOf(result).workers.flatMap((w) => w.exits.map((e) => (e as { host?: string }).host)),
    );
    expect([...hostsSeen].sort()).toEqual(['h1', 'h2']);
  });

  it("--joblog's Host column names the host each block ran on (it said ':' for every block)", async () => {
    const log = join(tempDir(), 'jobs.tsv');
    const result = await fan(
      [...test.args(), '--per-block', '--block', '4', '--joblog', log, '--', 'cat'],
      input,
    );
    expect(result.exitCode).toBe(0);
    const rows = readFileSync(log, 'utf8').trimEnd().split('\n').slice(1);
    const bySlot = new Set(rows.map((row) => `${row.split('\t')[8]} ${row.split('\t')[1]}`));
    expect([...bySlot].sort()).toEqual(['1 h1', '2 h2']);
  });

  it('--stats totals per host: slots, blocks given and done, bytes, instances, what the workers add up to', async () => {
    const result = await fan(
      [...test.args(), '--per-block', '--block', '4', '--stats', '-', '--', 'cat'],
      input,
    );
    expect(result.exitCode).toBe(0);
    const stats = JSON.parse(result.stderr) as { workers: PerWorker[]; hosts: PerHost[] };
    expect(stats.hosts.map((h) => [h.host, h.slots])).toEqual([
      ['h1', [1]],
      ['h2', [2]],
    ]);
    for (const host of stats.hosts) {
      // Each slot stayed on its host: the host's totals are its slot's.
      const worker = stats.workers[host.slots[0]! - 1]!;
      expect(host).toEqual({
        host: host.host,
        slots: host.slots,
        blocks: worker.blocks,
        done: worker.blocks,
        recordsIn: worker.recordsIn,
        bytesIn: worker.bytesIn,
        recordsOut: worker.recordsOut,
        bytesOut: worker.bytesOut,
        instances: worker.exits.length,
        failed: 0,
      });
    }
    const sum = (key: 'blocks' | 'bytesIn' | 'bytesOut') =>
      stats.hosts.reduce((total, host) => total + host[key], 0);
    expect([sum('blocks'), sum('bytesIn'), sum('bytesOut')]).toEqual([3, 12, 12]);
  });

  it('--stats counts the failed instances of the host they failed on', async () => {
    const failOnH1 = 'case $HOME in */h1/home) exit 3;; *) exec cat;; esac';
    const result = await fan(
      [...test.args(), '--per-block', '--block', '4', '--stats', '-', '--shell', '--', failOnH1],
      input,
    );
    expect(result.exitCode).toBe(1);
    const json = result.stderr.slice(result.stderr.indexOf('{'));
    const byHost = new Map(
      (JSON.parse(json) as { hosts: PerHost[] }).hosts.map((h) => [h.host, h] as const),
    );
    expect(byHost.get('h1')!.failed).toBeGreaterThanOrEqual(1);
    expect(byHost.get('h1')!.done).toBe(0);
    expect(byHost.get('h2')?.failed ?? 0).toBe(0);
  });

  it('--stats counts an instance whose command is not found on a host at that host (it was at none)', async () => {
    // Found on h2 only: a command in the folder first on h2's PATH.
    const program = join(test.hosts[1]!.bin, 'mf-only-on-h2');
    writeFileSync(program, '#!/bin/sh\nexec cat\n', { mode: 0o755 });
    onCleanup(() => rmSync(program, { force: true }));
    const result = await fan(
      [...test.args(), '--per-block', '--block', '4', '--stats', '-', '--', 'mf-only-on-h2'],
      input,
    );
    expect(result.exitCode).toBe(127);
    const json = result.stderr.slice(result.stderr.indexOf('{'));
    const stats = JSON.parse(json) as { hosts: PerHost[] };
    const byHost = new Map(stats.hosts.map((h) => [h.host, h] as const));
    expect(byHost.get('h1')).toMatchObject({ done: 0, failed: byHost.get('h1')!.instances });
    expect(byHost.get('h1')!.failed).toBeGreaterThanOrEqual(1);
    expect(byHost.get('h2')?.failed ?? 0).toBe(0);
    // The block it failed on too.
    expect(byHost.get('h1')!.blocks).toBeGreaterThanOrEqual(1);
  });

  it('--stats of a local fan has no hosts section', async () => {
    const result = await fan(['--stats', '-', '--', 'cat'], input);
    expect(result.exitCode).toBe(0);
    expect(Object.keys(JSON.parse(result.stderr))).not.toContain('hosts');
  });

  it('--progress on a terminal shows the blocks done on each host', async () => {
    const dir = tempDir('manifold-progress-');
    writeFileSync(join(dir, 'in.txt'), input);
    const command = [
      `node ${manifold} fan ${test
        .args()
        .map((arg) => `'${arg}'`)
        .join(' ')} --per-block --block 4`,
      `--progress --input ${dir}/in.txt -- cat > ${dir}/out.txt`,
    ].join(' ');
    const tty = await execa('script', ['-qec', command, '/dev/null'], { reject: false });
    expect(tty.exitCode).toBe(0);
    // The last line drawn, at the end: every block done, on one host or the other.
    const done = [...tty.stdout.matchAll(/\| done h1:(\d+) h2:(\d+)/g)].at(-1);
    expect(done, tty.stdout).toBeDefined();
    expect(Number(done![1]) + Number(done![2])).toBe(3);
  });
});
