import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { useTestHosts } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// At the end of a run with --transfer, manifold removes the run's folder on each host, over a
// `manifold worker --receive` it waited for without a bound: a host that stopped answering
// then held manifold's exit for ever. It now waits --host-timeout, then says which host in one
// line and ends: the run's own status stands.

const test = useTestHosts(1);

describe('manifold fan --transfer: a host that hangs while its run folder is removed', () => {
  it('is given --host-timeout, named in one line, and the run ends with its status', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'data.txt'), 'x\n');
    // manifold on h1, but its second `worker --receive` (the removal, after the shipping)
    // never answers: it sleeps, reading nothing.
    const remote = join(test.hosts[0]!.bin, 'manifold-hangs-at-removal');
    writeFileSync(
      remote,
      [
        '#!/bin/sh',
        'if [ "$1 $2" = "worker --receive" ]; then',
        '  if [ -e "$HOME/shipped" ]; then exec sleep 600; fi',
        '  touch "$HOME/shipped"',
        'fi',
        'exec manifold "$@"',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const args = [
      ...['fan', ...test.args(), '--remote-manifold', 'manifold-hangs-at-removal'],
      // Long enough for the host's worker to start on a loaded machine: only the removal hangs.
      ...['--host-timeout', '6s', '--transfer', 'data.txt', '--', 'cat'],
    ];
    const result = await run(manifold, args, 'abc\n', { cwd: dir, timeout: 30_000 });
    expect(result.signal).toBeUndefined();
    expect(result.stdout.toString()).toBe('abc\n');
    expect(result.stderr).toBe(
      "manifold: host h1: cannot remove this run's folder there: no answer within 6s (--host-timeout)\n",
    );
    expect(result.exitCode).toBe(0);
  });
});
