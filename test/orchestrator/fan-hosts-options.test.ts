import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan, OK, ok } from '../support/fan-run.js';
import { numbered, STREAM_ENDS_LINE } from '../support/lines.js';
import { useTestHosts } from '../support/sshd.js';
import { fileWith, tempDir } from '../support/temp.js';

// The options of manifold fan --host: hosts files, user@host:port/slots, this machine, usage.

const test = useTestHosts(1);

const input = numbered(1, 3000);

const HOSTS_FILE = fileWith('manifold-hosts-', '# this machine\n:\n', 'hosts');

describe('manifold fan --host options', () => {
  it('a hosts file, comments and all, with this machine (:) beside a host; -j is slots per host', async () => {
    const dir = tempDir();
    const file = join(dir, 'hosts.txt');
    writeFileSync(file, '# the test host, and this machine\nh1   # two slots from -j\n\n:/1\n');
    const result = await fan(
      [
        '--ssh',
        test.ssh,
        '--hosts-file',
        file,
        '-j',
        '2',
        '--verbose',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--tag',
        '--',
        'cat',
      ],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^manifold: host h1: connected, 2 slots$/m);
    expect(result.stderr).toMatch(/^manifold: host local: connected, 1 slot$/m);
    const workers = new Set(
      result.stdout
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t')[0]),
    );
    expect([...workers].sort()).toEqual(['1', '2', '3']);
    const untagged = result.stdout.toString().replace(/^\d+\t/gm, '');
    expect(untagged).toBe(input);
  });

  it('user@host:port/slots', async () => {
    const host = test.hosts[0]!;
    const result = await fan(
      ['--ssh', test.ssh, '--host', `root@h1:${host.port}/3`, '--verbose', '--', 'cat'],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(STREAM_ENDS_LINE);
    expect(result.stderr.replace(STREAM_ENDS_LINE, '')).toBe(
      `manifold: host root@h1:${host.port}: connected, 3 slots\n`,
    );
    expect(result.stdout.toString().split('\n').sort()).toEqual(input.split('\n').sort());
  });

  it("{#} and {%} in the command: the block's number and the slot, as on this machine", async () => {
    const echo = 'echo {#} {%} $MANIFOLD_BLOCK $MANIFOLD_WORKER';
    const result = await fan(
      [
        ...test.args(),
        '-j',
        '2',
        '-N',
        '3',
        '--per-block',
        '--merge',
        'ordered',
        '--shell',
        '--',
        echo,
      ],
      numbered(1, 10),
    );
    expect(ok(result)).toEqual(OK);
    const rows = result.stdout.toString().split('\n').slice(0, -1);
    expect(rows.map((row) => row.split(' ')[0])).toEqual(['1', '2', '3', '4']);
    for (const row of rows) {
      const [block, slot, envBlock, envSlot] = row.split(' ');
      expect([block, slot]).toEqual([envBlock, envSlot]);
      expect(['1', '2']).toContain(slot);
    }
  });

  it('--tagstring: the block and the slot on output and on the stderr that comes back', async () => {
    const result = await fan(
      [
        ...test.args(),
        '-j',
        '1',
        '-N',
        '2',
        '--per-block',
        '--tagstring',
        'b{#}-{%}',
        '--shell',
        '--',
        'cat; echo e >&2',
      ],
      numbered(1, 5),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toBe('b1-1\t1\nb1-1\t2\nb2-1\t3\nb2-1\t4\nb3-1\t5\n');
    expect(result.stderr.split('\n').filter((line) => line.endsWith('\te'))).toEqual([
      'b1-1\te',
      'b2-1\te',
      'b3-1\te',
    ]);
  });

  it('--remote-manifold names manifold on the hosts', async () => {
    const result = await fan(
      [
        '--ssh',
        test.ssh,
        '--host',
        'h1/1',
        '--remote-manifold',
        `${test.hosts[0]!.home}/../bin/manifold`,
        '--',
        'cat',
      ],
      input,
    );
    expect(ok(result)).toEqual(OK);
    const missing = await fan(
      ['--ssh', test.ssh, '--host', 'h1/1', '--remote-manifold', '/no/such/manifold', '--', 'cat'],
      input,
    );
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(
      /^manifold: host h1: \/no\/such\/manifold \(--remote-manifold\) not found there: .+\n$/,
    );
  });

  it("a worker's stderr comes back from the host, tagged under --tag", async () => {
    const result = await fan(
      [
        '--ssh',
        test.ssh,
        '--host',
        'h1/1',
        '--tag',
        '--shell',
        '--',
        'cat >/dev/null; echo done on $MANIFOLD_SLOT of $MANIFOLD_WORKERS >&2',
      ],
      input,
    );
    expect(result).toMatchObject({ exitCode: 0, stderr: '1\tdone on 1 of 1\n' });
  });

  const usage: [string, string[], RegExp][] = [
    [
      'a host that is not one',
      ['--host', 'a@b@c'],
      /^manifold: --host: 'a@b@c' is not \[user@\]host\[:port\]\[\/slots\] \(see 'manifold fan --help'\)\n$/,
    ],
    [
      'no slots',
      ['--host', 'h1/0'],
      /^manifold: --host: 'h1\/0' has no slots \(\/0\) \(see 'manifold fan --help'\)\n$/,
    ],
    [
      '--ssh without hosts',
      ['--ssh', 'ssh -v'],
      /^manifold: --ssh needs hosts \(--host\) \(see 'manifold fan --help'\)\n$/,
    ],
    [
      'a bad --host-timeout',
      ['--host', 'h1', '--host-timeout', 'soon'],
      /^manifold: --host-timeout must be a duration .*\(got soon\) \(see 'manifold fan --help'\)\n$/,
    ],
    [
      'no hosts file',
      ['--hosts-file', '/no/such/hosts'],
      /^manifold: --hosts-file \/no\/such\/hosts: no such file \(see 'manifold fan --help'\)\n$/,
    ],
    // Node's own words before: `EISDIR: illegal operation on a directory, read`.
    [
      'a hosts file that is a folder',
      ['--hosts-file', '/tmp'],
      /^manifold: --hosts-file \/tmp: is a directory \(see 'manifold fan --help'\)\n$/,
    ],
    [
      'an empty hosts file name',
      ['--hosts-file', ''],
      /^manifold: --hosts-file '': no such file \(see 'manifold fan --help'\)\n$/,
    ],
    // Taken, both would run as two hosts of one name: two 'connected' lines alike, and one
    // --stats entry that did not add up.
    [
      'a host named twice (: and local are this machine)',
      ['--host', ':/1', '--host', 'local/1'],
      /^manifold: host local is named twice, by the 1st --host :\/1 and the 2nd --host local\/1: name it once, with its slots \(local\/N\) \(see 'manifold fan --help'\)\n$/,
    ],
    // Which --host: a flag is counted as the user repeats it (it said `by --host h1 and --host h1`).
    [
      'a host named twice, the 3rd and the 12th --host',
      'h1 h2 h3 h4 h5 h6 h7 h8 h9 h10 h11 h3/2'.split(' ').flatMap((host) => ['--host', host]),
      /^manifold: host h3 is named twice, by the 3rd --host h3 and the 12th --host h3\/2: name it once/,
    ],
    [
      'a host named twice, in a hosts file and by --host',
      ['--host', 'local/2', '--hosts-file', HOSTS_FILE],
      /^manifold: host local is named twice, by the 1st --host local\/2 and .*\/hosts:2: name it once, with its slots \(local\/N\) \(see 'manifold fan --help'\)\n$/,
    ],
    [
      '--threads with hosts',
      ['--host', 'h1', '--threads'],
      /^manifold: --threads cannot go with --host/,
    ],
  ];
  for (const [name, args, message] of usage) {
    it(`usage: ${name}`, async () => {
      const result = await fan([...args, '--', 'mf-map', 'r'], input);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(message);
    });
  }

  it('an --ssh program that is not there: one line naming the option, exit 127 (it was spawn nossh ENOENT per host)', async () => {
    const missing: [string, string][] = [
      ['nossh', 'manifold: --ssh nossh: command not found\n'],
      ['/no/such/ssh -v', 'manifold: --ssh /no/such/ssh: no such file\n'],
    ];
    for (const [ssh, stderr] of missing) {
      const result = await fan(['--ssh', ssh, '--host', 'h1', '--host', 'h2', '--', 'cat'], input);
      expect(result).toMatchObject({ exitCode: 127, stderr });
    }
    // This machine alone is not reached over ssh: the program is not needed.
    const local = await fan(['--ssh', 'nossh', '--host', ':/1', '--', 'cat'], input);
    expect(ok(local)).toEqual(OK);
  });

  it('a bad line of a hosts file is named by file and line', async () => {
    const file = join(tempDir(), 'hosts');
    writeFileSync(file, 'h1\nbad host\n');
    const result = await fan(['--hosts-file', file, '--', 'cat'], input);
    expect(result).toMatchObject({
      exitCode: 2,
      stderr: `manifold: ${file}:2: 'bad host' is not [user@]host[:port][/slots] (see 'manifold fan --help')\n`,
    });
  });

  // The stop's signal crosses to the host by name (an End frame): it was SIGTERM or SIGKILL only.
  it('--termseq: a worker on a host past --timeout gets each signal in turn there', async () => {
    const said =
      'for s in INT TERM USR1; do trap "echo got $s >&2" $s; done; while :; do sleep 1; done';
    const result = await fan(
      [
        // 3 s for the shell to set its traps (fan-termseq's cases met CI's load at 1 s).
        ...['--ssh', test.ssh, '--host', 'h1/1', '--per-block', '--timeout', '3s'],
        ...['--termseq', 'INT,1000,USR1,2000', '--shell', '--', said],
      ],
      'a\n',
    );
    expect(result.exitCode).toBe(1);
    const got = result.stderr.split('\n').filter((line) => line.startsWith('got '));
    expect(got).toEqual(['got INT', 'got USR1']);
    expect(result.stderr).toMatch(/timed out after 3s on block 1 \(records 1-1\)\n$/);
  }, 20_000);
});
