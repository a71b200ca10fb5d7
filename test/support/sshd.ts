// Real sshd test hosts: the harness lives beside the bench, which starts them too.
export * from '../../bench/sshd-hosts.js';
