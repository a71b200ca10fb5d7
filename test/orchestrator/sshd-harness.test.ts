import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandOf, runningWith } from '../support/proc.js';
import { claimNet, startHosts } from '../support/sshd.js';

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
    const configs = runningWith(folder).map(commandOf);
    expect(configs).toEqual([]);
  });

  it.runIf(process.getuid?.() === 0)(
    'skips a network whose addresses a dead set of hosts left on a link',
    () => {
      // The network this process would claim first, taken by a link as a killed run leaves it.
      const net = (process.pid % 250) + 1;
      const link = `mfleft${process.pid % 100000}`;
      const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
      ip('link', 'add', link, 'type', 'veth', 'peer', 'name', `${link}p`);
      try {
        ip('addr', 'add', `10.201.${net}.1/30`, 'dev', link);
        const claim = claimNet();
        claim.release();
        expect(claim.net).not.toBe(net);
      } finally {
        ip('link', 'del', link);
      }
    },
  );
});
