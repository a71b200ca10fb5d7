import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan, type ManifoldError } from '../../orchestrator/index.js';
import { numbered } from '../support/lines.js';
import { sink } from '../support/sink.js';
import { useTestHosts } from '../support/sshd.js';

// The library's fan with hosts: the same settings as --host, the same output.

const test = useTestHosts(2, { withoutManifold: [1] });

describe('fan({ hosts }) from the library', () => {
  it('runs on the hosts, with their stats, as the command line does', async () => {
    const input = numbered(1, 5000);
    const output = sink();
    const summary = await fan(
      {
        command: ['cat'],
        hosts: ['h1/1', ':/1'],
        ssh: test.ssh,
        merge: 'ordered',
        perBlock: true,
        block: '4K',
      },
      { input: Readable.from([input]), output },
    );
    expect(output.text()).toBe(input);
    const hosts = new Set(summary.workers.flatMap((w) => w.exits.map((e) => e.host)));
    expect([...hosts].sort()).toEqual(['h1', 'local']);
    // Its totals per host, each host's blocks done adding up to the fan's.
    expect(summary.hosts?.map((h) => [h.host, h.slots])).toEqual([
      ['h1', [1]],
      ['local', [2]],
    ]);
    expect(summary.hosts!.reduce((sum, h) => sum + h.done, 0)).toBe(summary.totals.blocks);
  });

  it('a host without manifold rejects with manifold.notFound, naming it', async () => {
    const error = (await fan(
      { command: ['cat'], hosts: ['h2'], ssh: test.ssh },
      { input: Readable.from(['a\n']), output: sink() },
    ).catch((e: unknown) => e)) as ManifoldError;
    expect(error.code).toBe('manifold.notFound');
    expect(error.message).toMatch(/^host h2: manifold \(--remote-manifold\) not found there/);
  });

  it('bad host settings are usage errors naming the setting', async () => {
    const bad = async (options: object) =>
      (
        (await fan(
          { command: ['cat'], ...options },
          { input: Readable.from(['a\n']), output: sink() },
        ).catch((e: unknown) => e)) as ManifoldError
      ).message;
    expect(await bad({ hosts: 'h1' })).toBe('hosts must be a list of [user@]host[:port][/slots]');
    expect(await bad({ ssh: 'ssh -v' })).toBe('ssh needs hosts (hosts)');
    expect(await bad({ hosts: ['h1'], threads: true, command: ['mf-map', 'r'] })).toBe(
      'threads cannot go with hosts: threads run in this process',
    );
  });
});
