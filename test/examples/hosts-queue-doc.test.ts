import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, run } from '../helpers.js';
import { startNats } from '../support/nats.js';
import { useTestHosts } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// The first examples of docs/hosts.md and docs/queue.md run as pasted, against real sshd test
// hosts and a real nats-server: only the host names, the ssh config and the server's address
// are the test's. Their log has one ERROR, in its last line, so that most workers, and the
// queue's first block, select nothing: an example that ran `-- grep ERROR` would fail the run
// on grep's exit 1 for that (the ERROR line lost or alone of its block), and one that ran a
// command it does not ship (`./parse`) would end 127 on the hosts.

const hosts = useTestHosts(2);

const fenced = (page: string) =>
  [...readFileSync(join(root, 'docs', page), 'utf8').matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map(
    (m) => m[1]!,
  );
const env = { PATH: `${join(root, 'node_modules', '.bin')}:/usr/bin:/bin` };
const ERROR = '2026-12-05T10:00:00 ERROR disk full\n';

function makeLog(cwd: string): void {
  let log = '';
  for (let i = 1; i <= 100_000; i++) log += `2026-12-05T10:00:00 INFO request ${i}\n`;
  writeFileSync(join(cwd, 'app.log'), log + ERROR);
}

const bash = (cwd: string, line: string) =>
  run('bash', ['-o', 'pipefail', '-c', line], '', { cwd, env, timeout: 120_000 });

describe('docs/hosts.md and docs/queue.md', () => {
  it('hosts.md: the hosts-file example gives the one ERROR line, exit 0', async () => {
    const line = fenced('hosts.md')[0]!
      .split('\n')
      .find((l) => l.includes('--hosts-file'))!;
    expect(line).toContain("--ssh 'ssh -F ./ssh_config'");
    const cwd = tempDir('manifold-hosts-doc-');
    makeLog(cwd);
    writeFileSync(join(cwd, 'hosts.txt'), 'h1\nh2\n');
    const result = await bash(cwd, line.replace("'ssh -F ./ssh_config'", `'${hosts.ssh}'`));
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([0, '', ERROR]);
  }, 150_000);

  it('hosts.md: the --host example ships ./parse and gives its output in order, exit 0', async () => {
    const line = fenced('hosts.md')[0]!
      .split('\n')
      .find((l) => l.includes('-- ./parse'))!;
    expect(line).toContain('--host h1 --host alice@h2:2222/8 ');
    const cwd = tempDir('manifold-hosts-doc-');
    writeFileSync(join(cwd, 'parse'), '#!/bin/sh\nexec tr a-z A-Z\n', { mode: 0o755 });
    let log = '';
    for (let i = 1; i <= 20_000; i++) log += `request ${i} ok\n`;
    writeFileSync(join(cwd, 'in.log'), log);
    const result = await bash(
      cwd,
      line
        .replace('alice@h2:2222/8', 'h2/8')
        .replace('manifold fan ', `manifold fan --ssh '${hosts.ssh}' `),
    );
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    expect(result.stdout.toString()).toBe(log.toUpperCase());
  }, 150_000);

  it('queue.md: a worker and the coordinator of the first example give the one ERROR line, exit 0', async () => {
    const server = await startNats();
    const lines = fenced('queue.md')[0]!.split('\n');
    const [worker, coordinator] = ['manifold worker ', 'manifold fan '].map((start) =>
      lines.find((l) => l.startsWith(start))!.replaceAll('nats://queue:4222', server.url),
    );
    const cwd = tempDir('manifold-queue-doc-');
    makeLog(cwd);
    const [workerDone, coordinatorDone] = await Promise.all([
      bash(cwd, worker!),
      bash(cwd, coordinator!),
    ]);
    expect([coordinatorDone.exitCode, coordinatorDone.stderr]).toEqual([0, '']);
    expect(readFileSync(join(cwd, 'errors.txt'), 'utf8')).toBe(ERROR);
    expect([workerDone.exitCode, workerDone.stderr]).toEqual([0, '']);
  }, 150_000);
});
