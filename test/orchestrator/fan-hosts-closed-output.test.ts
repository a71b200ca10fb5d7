import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { useTestHosts } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// A fan over hosts whose output is closed (`| head -1`) ends as `cat` does there, 141, quietly,
// and, as at any other end, removes its ssh control folder (under TMPDIR) and the run's folder on
// each host: the closed output ended the process before they were, which left both behind.

const test = useTestHosts(1);

const runsOn = (host: number) => {
  const runs = join(test.hosts[host]!.home, '.cache', 'manifold', 'runs');
  return existsSync(runs) ? readdirSync(runs) : [];
};

describe('manifold fan --host into an output closed early', () => {
  it('exits 141 and leaves no folder, here or on the host', async () => {
    const dir = tempDir();
    const tmp = join(dir, 'tmp');
    const script = join(dir, 'up.sh');
    writeFileSync(script, '#!/bin/sh\ntr a-z A-Z\n', { mode: 0o755 });
    const fan = [manifold, 'fan', '--ssh', test.ssh, '--host', 'h1', '--transfer', 'up.sh'];
    const quoted = [...fan, '--', './up.sh'].map((word) => `'${word}'`).join(' ');
    const line = `mkdir ${tmp} && seq 200000 | TMPDIR=${tmp} ${quoted} | head -1; echo "\${PIPESTATUS[1]}"`;
    const result = await run('/bin/bash', ['-c', line], '', { cwd: dir });
    // One line, whichever block came first, then manifold's status.
    expect({ stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      stdout: expect.stringMatching(/^\d+\n141\n$/),
      stderr: '',
    });
    expect(readdirSync(tmp)).toEqual([]);
    expect(runsOn(0)).toEqual([]);
  });
});
