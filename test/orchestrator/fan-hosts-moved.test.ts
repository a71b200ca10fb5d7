import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numbered } from '../support/lines.js';
import { collect, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { useHostsPerTest } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// A host dropped mid-run: its slots move to the hosts left. Output its instances made before
// (held by --merge ordered for its turn) is still theirs: messages about it name the host it
// was made on, not the one its slot moved to.

const hosts = useHostsPerTest();

describe('manifold fan --host: output made on a host dropped since', () => {
  it('a record over --max-record in it names that host (it named the host the slot moved to)', async () => {
    const test = await hosts(2);
    const gate = join(tempDir(), 'gate');
    execFileSync('mkfifo', [gate]);
    // Slot 1 on h2, slot 2 on h1; blocks go round: 0 and 2 to slot 1, 1 and 3 to slot 2.
    // h2's first instance (block 0) waits at the gate: block 1's output is held for its turn.
    // h1's first (block 1) writes a record of 2 KiB; its next (block 3) hangs until h1 dies.
    const script = [
      'case $HOME in',
      `*/h2/home) mkdir $HOME/once 2>/dev/null && cat ${gate} >/dev/null; exec cat;;`,
      '*) if mkdir $HOME/once 2>/dev/null; then cat >/dev/null; head -c 2048 /dev/zero | tr "\\0" x; echo;',
      'else echo on-h1 >&2; exec sleep 600; fi;;',
      'esac',
    ].join('\n');
    const child = spawnManifold([
      ...['fan', '--ssh', test.ssh, '--host', 'h2/1', '--host', 'h1/1', '--block', '4K'],
      ...['--per-block', '--dispatch', 'round-robin', '--merge', 'ordered', '--retries', '1'],
      ...['--max-record', '1K', '--shell', '--', script],
    ]);
    const stderr = watch(child.stderr!);
    const stdout = collect(child.stdout);
    child.stdin!.end(numbered(1, 3000));
    await within(stderr.waitFor(/^on-h1$/, 1), 20_000, () => `no on-h1:\n${stderr.text}`);
    test.hosts[0]!.kill();
    // Dropped: block 3 is given again to slot 2, which now runs on h2.
    await stderr.waitFor(/^manifold: host h1 dropped for the rest of the run: /, 1);
    writeFileSync(gate, 'go\n');
    const [, exit] = await within(Promise.all([stdout, waitForExit(child)]), 60_000, 'no end');
    expect(exit.exitCode, stderr.text).toBe(1);
    expect(stderr.text).toMatch(
      /^manifold: host h1: worker 2 output of block 2 \(records \d+-\d+\): record is larger than the maximum record size 1 KiB/m,
    );
  }, 60_000);
});
