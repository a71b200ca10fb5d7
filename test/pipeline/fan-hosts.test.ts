import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, expectProblems } from '../support/check.js';
import { numbered } from '../support/lines.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { useTestHosts } from '../support/sshd.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A config's hosts: at the top, or a fan stage's own, as --host and its options.

const test = useTestHosts(1);

const input = numbered(1, 2000);

describe('hosts in a config', () => {
  it('hosts: at the top, for every fan stage, with the same output as locally', async () => {
    const dir = tempDir();
    const stages = [
      {
        fan: {
          workers: 1,
          merge: 'ordered',
          attribution: 'per-block',
          block: '2K',
          worker: 'tr 0-9 a-j',
        },
      },
    ];
    const local = writeConfig(dir, { stages }, 'local.yaml');
    const remote = writeConfig(
      dir,
      { hosts: { list: ['h1/2', ':/1'], ssh: test.ssh }, stages },
      'remote.yaml',
    );
    const [here, there] = await Promise.all([
      runConfig(local, input),
      runConfig(remote, input, { args: ['--verbose'] }),
    ]);
    expect(outcome(here)).toMatchObject({ exitCode: 0, stderr: '' });
    expect(there.exitCode).toBe(0);
    expect(there.stderr).toMatch(/^manifold: stage stages\[0\]: host h1: connected, 2 slots$/m);
    expect(there.stdout.toString()).toBe(here.stdout.toString());
  });

  it("a fan stage's own hosts, with a transfer relative to the config's folder", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'shout.sh'), '#!/bin/sh\ntr a-z A-Z\n');
    chmodSync(join(dir, 'shout.sh'), 0o755);
    const config = writeConfig(dir, {
      stages: [
        { run: 'sed s/^/x/' },
        {
          fan: {
            hosts: { list: ['h1/1'], ssh: test.ssh, transfer: ['shout.sh'], cleanup: true },
            merge: 'ordered',
            attribution: 'per-block',
            worker: './shout.sh',
          },
        },
      ],
    });
    const result = await runConfig(config, 'a\nb\n');
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'XA\nXB\n' });
  });

  it("a command found only on the hosts' PATH is looked for there, not here", async () => {
    const dir = tempDir();
    writeFileSync(join(test.hosts[0]!.bin, 'only-on-h1'), '#!/bin/sh\nexec tr a-z A-Z\n');
    chmodSync(join(test.hosts[0]!.bin, 'only-on-h1'), 0o755);
    const withWorker = (worker: unknown, hosts = ['h1/2']) => ({
      hosts: { list: hosts, ssh: test.ssh },
      stages: [{ fan: { merge: 'ordered', worker } }],
    });
    const there = writeConfig(dir, withWorker(['only-on-h1']), 'there.yaml');
    const nowhere = writeConfig(dir, withWorker(['not-on-any-host']), 'nowhere.yaml');
    // This machine, one of the hosts, needs the command on its own PATH.
    const here = writeConfig(dir, withWorker('only-on-h1', ['h1/1', ':/1']), 'here.yaml');
    const [checked, ran, failed, refused] = await Promise.all([
      check(there),
      runConfig(there, 'a\nb\n'),
      runConfig(nowhere, 'a\nb\n'),
      check(here),
    ]);
    expect(outcome(checked)).toEqual({ exitCode: 0, stderr: '', stdout: '' });
    expect(outcome(ran)).toEqual({ exitCode: 0, stderr: '', stdout: 'A\nB\n' });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(
      /^manifold: stage stages\[0\]: worker 1 \(h1: not-on-any-host\) exited with status 127 \(command not found\)/m,
    );
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/here\.yaml:\d+:\d+: only-on-h1: command not found$/m);
  });

  it("hosts.ssh as a relative path is the config's folder's, as a worker's is: it was the working directory's", async () => {
    const dir = tempDir('manifold-pipe-hosts-');
    // An ssh of the config's own that never answers: run, it is given up on after host-timeout.
    writeFileSync(join(dir, 'silent-ssh'), '#!/bin/sh\nexec sleep 1000\n', { mode: 0o755 });
    const text = [
      'hosts: {list: [h1], ssh: ./silent-ssh -q, host-timeout: 200ms}',
      'stages:',
      '  - fan: {workers: 1, worker: cat}',
      '',
    ].join('\n');
    const result = outcome(await runConfig(writeConfig(dir, text), 'a\n'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/: no answer within 200ms \(hosts\.host-timeout\)\n$/);
  });

  it("hosts.ssh's own relative paths (-F ./ssh_config, -i ./key) are the config's folder's: they were the working directory's", async () => {
    const dir = tempDir('manifold-pipe-hosts-');
    // The test hosts' ssh_config and key, beside the config, named relatively: ssh runs there.
    const [, generated] = test.ssh.split(' -F ');
    const config = readFileSync(generated!, 'utf8').replace(/^ {2}IdentityFile .*\n/m, '');
    expect(config).not.toMatch(/IdentityFile/);
    writeFileSync(join(dir, 'ssh_config'), config);
    copyFileSync(join(dirname(generated!), 'client_key'), join(dir, 'key'));
    chmodSync(join(dir, 'key'), 0o600);
    const text = [
      'hosts: {list: [h1/2], ssh: ssh -F ./ssh_config -i ./key}',
      'stages:',
      '  - fan: {merge: ordered, attribution: per-block, block: 2K, worker: tr 0-9 a-j}',
      '',
    ].join('\n');
    const result = await runConfig(writeConfig(dir, text), input);
    expect(outcome(result)).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: input.replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!),
    });
  });

  it("a worker on this machine (:) runs in the config's folder, as a fan's without hosts: it ran in the working directory's, 127", async () => {
    const dir = tempDir('manifold-pipe-hosts-');
    writeFileSync(join(dir, 'shout.sh'), '#!/bin/sh\ntr a-z A-Z\n', { mode: 0o755 });
    const text = 'hosts: [":/1"]\nstages:\n  - fan: {worker: ./shout.sh}\n';
    const result = await runConfig(writeConfig(dir, text), 'a\nb\n');
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'A\nB\n' });
  });

  it('a host dropped, and no host left, name the stage, as its other lines do: they named none', async () => {
    const dir = tempDir('manifold-pipe-hosts-');
    // Port 1 refuses at once: the host is dropped as the run starts, the other runs the blocks.
    const stages = (hosts: string[]) => [
      'stages:',
      `  - name: up\n    fan: {hosts: {list: [${hosts.join(', ')}], ssh: ${test.ssh}}, worker: cat}`,
      '',
    ];
    const one = writeConfig(dir, stages(['h1/1', '"127.0.0.1:1"']).join('\n'), 'one.yaml');
    const none = writeConfig(dir, stages(['"127.0.0.1:1"']).join('\n'), 'none.yaml');
    const [ran, failed] = await Promise.all([
      runConfig(one, 'a\n', { args: ['--verbose'] }),
      runConfig(none, 'a\n'),
    ]);
    expect(ran.exitCode).toBe(0);
    expect(ran.stdout.toString()).toBe('a\n');
    expect(ran.stderr).toMatch(
      /^manifold: stage up: host 127\.0\.0\.1:1 dropped for the rest of the run: cannot connect: .*Connection refused$/m,
    );
    expect(ran.stderr).toMatch(/^manifold: stage up: host h1: connected, 1 slot$/m);
    expect(ran.stderr).not.toMatch(/^manifold: host /m);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(
      /^manifold: stage up: host 127\.0\.0\.1:1 dropped for the rest of the run: .*\nmanifold: stage up: no host is left: 127\.0\.0\.1:1: cannot connect: .*Connection refused\n$/,
    );
  });

  it('a bad host is a problem at its place', async () => {
    await expectProblems('hosts: ["a@b@c"]\nstages:\n  - fan:\n      worker: cat\n', [
      ['"a@b@c"', /hosts: 'a@b@c' is not \[user@\]host\[:port\]\[\/slots\]$/],
    ]);
    await expectProblems('stages:\n  - fan:\n      hosts: { ssh: "ssh -v" }\n      worker: cat\n', [
      ['"ssh -v"', /hosts.ssh needs hosts \(hosts.list\)$/],
    ]);
  });
});
