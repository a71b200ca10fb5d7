import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandOf } from '../support/proc.js';
import { startHosts } from '../support/sshd.js';

const sshArgs = (ssh: string) => ssh.split(' ').slice(1);

describe('the sshd test hosts', () => {
  it('are real hosts with their own HOME and PATH, and leave no sshd behind', async () => {
    const test = await startHosts(2, { withoutManifold: [1] });
    const folder = test.ssh
      .split(' ')
      .at(-1)!
      .replace(/ssh_config$/, '');
    try {
      for (const [i, host] of test.hosts.entries()) {
        const out = execFileSync('ssh', [
          ...sshArgs(test.ssh),
          host.name,
          'echo $HOME; command -v manifold || echo none',
        ]).toString();
        expect(out).toBe(
          `${host.home}\n${i === 0 ? host.home.replace(/home$/, 'bin/manifold') : 'none'}\n`,
        );
      }
    } finally {
      await test.stop();
    }
    const configs = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map((pid) => commandOf(Number(pid)))
      .filter((command) => command.includes(folder));
    expect(configs).toEqual([]);
  });
});
