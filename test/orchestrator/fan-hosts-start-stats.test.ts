import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type FanSummary, fan, type RunError } from '../../orchestrator/index.js';
import { sink } from '../support/sink.js';
import { useTestHosts } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// A worker the host's system refuses to start (there: E2BIG, an argument past the kernel's
// 128 KiB for one) was said as 'cannot start worker 1: spawn E2BIG', naming no host, and
// counted nowhere: --stats had no host entry, no exit, and --joblog no row for its block. Now
// it counts at its host, as a command not found there does, and its line names the host.

const test = useTestHosts(1);

describe('manifold fan --host: a worker that cannot start on a host', () => {
  it('is said and counted at its host: --stats, --joblog and the failure line', async () => {
    const log = join(tempDir(), 'jobs.tsv');
    const command = ['cat', 'x'.repeat(140_000)];
    const options = { command, hosts: ['h1/1'], ssh: test.ssh, joblog: log, perBlock: true };
    const error = (await fan(options, { input: Readable.from(['a\n']), output: sink() }).catch(
      (e: unknown) => e,
    )) as RunError<FanSummary>;
    expect(error.exitCode).toBe(2);
    expect(error.failures).toEqual([
      'cannot start worker 1 on host h1: its arguments and environment are longer than the system takes (E2BIG: getconf ARG_MAX)',
    ]);
    const { summary } = error;
    expect(summary!.hosts).toEqual([
      expect.objectContaining({
        host: 'h1',
        slots: [1],
        blocks: 1,
        done: 0,
        instances: 1,
        failed: 1,
      }),
    ]);
    expect(summary!.workers[0]!.exits).toEqual([{ host: 'h1', exitCode: null, signal: null }]);
    const rows = readFileSync(log, 'utf8').trimEnd().split('\n').slice(1);
    expect(rows.map((row) => row.split('\t')[1])).toEqual(['h1']);
    expect(rows[0]).toMatch(/\tfailed: cannot start: .* \(E2BIG: getconf ARG_MAX\)$/);
  });
});
