import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fan, OK, ok } from '../support/fan-run.js';
import { useTestHosts } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// Shipping to hosts: --transfer and tables, once per host into a cache by content hash.

const test = useTestHosts(2);

const cache = (host: number) => join(test.hosts[host]!.home, '.cache', 'manifold', 'files');
const cached = (host: number) => (existsSync(cache(host)) ? readdirSync(cache(host)).sort() : []);
const runs = (host: number) => readdirSync(join(cache(host), '..', 'runs'));

/** A folder with an executable script and a folder of data, as a job would have. */
function job(marker: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'shout.sh'), `#!/bin/sh\n# ${marker}\ntr a-z A-Z\n`);
  chmodSync(join(dir, 'shout.sh'), 0o755);
  mkdirSync(join(dir, 'data', 'deep'), { recursive: true });
  writeFileSync(join(dir, 'data', 'deep', 'suffix.txt'), `${marker}\n`);
  writeFileSync(join(dir, 'data', 'empty'), '');
  return dir;
}

const input = 'abc\ndef\nghi\n';

describe('manifold fan --transfer, tables to hosts', () => {
  it('ships once per host, the workers see the paths at their names; a second run sends nothing', async () => {
    const dir = job('first');
    const args = [
      ...test.args(),
      '--transfer',
      'shout.sh',
      '--transfer',
      'data/',
      '--verbose',
      '--merge',
      'ordered',
    ];
    const command = ['--shell', '--', './shout.sh; cat data/deep/suffix.txt data/empty'];
    const first = await run(manifold, ['fan', ...args, ...command], input, { cwd: dir });
    expect(first.exitCode).toBe(0);
    expect(first.stdout.toString()).toBe('ABC\nDEF\nGHI\nfirst\n');
    expect(first.stderr).toMatch(/^manifold: host h1: shipped shout.sh \(\d+ B\), data \(6 B\)$/m);
    expect(first.stderr).toMatch(/^manifold: host h2: shipped shout.sh \(\d+ B\), data \(6 B\)$/m);
    const before = [cached(0), cached(1)];
    expect(before[0]).toHaveLength(2);
    const second = await run(manifold, ['fan', ...args, ...command], input, { cwd: dir });
    expect(second.stdout.toString()).toBe('ABC\nDEF\nGHI\nfirst\n');
    expect(second.stderr).not.toMatch(/shipped/);
    expect(second.stderr).toMatch(
      /^manifold: host h1: already has shout.sh \(\d+ B\), data \(6 B\)$/m,
    );
    expect([cached(0), cached(1)]).toEqual(before);
    // The run's folder, where the links were, is gone with the run.
    expect(runs(0)).toEqual([]);
  });

  it('a big item (16 MiB) is shipped whole, with nothing on stderr but what --verbose says', async () => {
    // Shipping waits for ssh's stdin to drain about once a frame: a listener left per wait
    // piled up, and Node warned (MaxListenersExceededWarning) on manifold's stderr. Frames are
    // of 1 MiB: 16 waits a host, past the 10 listeners Node warns at (64 MiB took 9 s in CI).
    const dir = tempDir();
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(16 << 20, 'b'));
    const result = await run(
      manifold,
      [
        ...['fan', ...test.args(), '--transfer', 'big.bin', '--verbose'],
        ...['--shell', '--', 'cat >/dev/null; wc -c < big.bin'],
      ],
      'x\n',
      { cwd: dir },
    );
    expect(result.exitCode).toBe(0);
    // Every worker (one a host, each of them started) sees the whole file.
    expect(new Set(result.stdout.toString().split('\n').slice(0, -1))).toEqual(
      new Set([String(16 << 20)]),
    );
    expect(result.stderr).toMatch(/^manifold: host h1: shipped big.bin \(16\.0 MiB\)$/m);
    expect(result.stderr.split('\n').filter((line) => !line.startsWith('manifold: '))).toEqual([
      '',
    ]);
  });

  it('--cleanup removes what this run shipped, and nothing else', async () => {
    const kept = job('kept');
    await run(
      manifold,
      ['fan', ...test.args(), '--transfer', 'shout.sh', '--', './shout.sh'],
      input,
      {
        cwd: kept,
      },
    );
    const before = cached(0);
    const dir = job('cleaned');
    const result = await run(
      manifold,
      [
        'fan',
        ...test.args(),
        '--transfer',
        'shout.sh',
        '--cleanup',
        '--merge',
        'ordered',
        '--',
        './shout.sh',
      ],
      input,
      { cwd: dir },
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('ABC\nDEF\nGHI\n');
    expect(cached(0)).toEqual(before);
    expect(runs(0)).toEqual([]);
  });

  it('a table is shipped and named to the workers at its shipped place', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'users.tsv'), 'u1\tada\nu2\tbob\n');
    const built = await run(
      manifold,
      ['table', 'build', 'users.tsv', '--key', 'field:1', '--field-sep', 'tab', '-o', 'users.mft'],
      '',
      { cwd: dir },
    );
    expect(built.exitCode).toBe(0);
    const events = 'e1\tu2\ne2\tu1\n';
    const args = [
      '--table',
      'users=users.mft',
      '--merge',
      'ordered',
      '--',
      'mf-join',
      '--table',
      'users',
      '--key',
      'field:2',
      '--field-sep',
      'tab',
    ];
    const local = await run(manifold, ['fan', '-j', '2', ...args], events, { cwd: dir });
    const remote = await run(manifold, ['fan', ...test.args(), '--verbose', ...args], events, {
      cwd: dir,
    });
    expect(ok(local)).toEqual(OK);
    expect(remote.exitCode).toBe(0);
    expect(remote.stderr).toMatch(/^manifold: host h1: (shipped|already has) table users \(/m);
    expect(remote.stdout.toString()).toBe(local.stdout.toString());
    // This test's hosts share this machine's files: that the path is the host's own shows it
    // was the shipped copy that was read.
    const where = await run(
      manifold,
      [
        'fan',
        ...test.args(),
        '--table',
        'users=users.mft',
        '--dispatch',
        'broadcast',
        '--shell',
        '--',
        'cat >/dev/null; echo $MANIFOLD_TABLE_USERS',
      ],
      'x\n',
      { cwd: dir },
    );
    const paths = where.stdout.toString().trim().split('\n').sort();
    expect(paths).toEqual([
      expect.stringMatching(new RegExp(`^${cache(0)}/[0-9a-f]{32}/data$`)),
      expect.stringMatching(new RegExp(`^${cache(1)}/[0-9a-f]{32}/data$`)),
    ]);
  });

  const usage: [string, string[], RegExp][] = [
    [
      '--transfer without hosts',
      ['--transfer', 'x'],
      /^manifold: --transfer needs hosts \(--host\) \(see 'manifold fan --help'\)\n$/,
    ],
    [
      '--cleanup without hosts',
      ['--cleanup'],
      /^manifold: --cleanup needs hosts \(--host\) \(see 'manifold fan --help'\)\n$/,
    ],
    [
      'an absolute --transfer',
      ['--host', 'h1', '--transfer', '/etc/hosts'],
      /^manifold: --transfer \/etc\/hosts: give a path inside the current folder/,
    ],
    [
      'a --transfer above here',
      ['--host', 'h1', '--transfer', '../x'],
      /^manifold: --transfer \.\.\/x: give a path inside the current folder/,
    ],
    [
      'a missing --transfer',
      ['--host', 'h1', '--transfer', 'no-such-file'],
      /^manifold: --transfer no-such-file: no such file \(see 'manifold fan --help'\)\n$/,
    ],
  ];
  for (const [name, args, message] of usage) {
    it(`usage: ${name}`, async () => {
      const result = await fan([...args, '--', 'cat'], input);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(message);
    });
  }
});
