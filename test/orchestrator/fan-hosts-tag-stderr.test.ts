import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { commandOf, descendants, holdsWithin, killQuietly } from '../support/proc.js';
import { collect } from '../support/spawn.js';

// A host worker's stderr under --tag goes through a prefixer that waits for room in manifold's
// stderr: its end was told at once, and the lines still queued for a slow reader of manifold's
// stderr were lost when manifold exited (6,100 of 20,000, exit 0). `--host :` is this machine,
// through the same transport as a host's.

describe('--host with --tag, its stderr read slowly', () => {
  it("gives every one of the workers' lines", async () => {
    const input = Array.from({ length: 20_000 }, (_, i) => `${i + 1}\n`).join('');
    const args = ['fan', '-j', '1', '--host', ':', '--tag', '--', 'sed', 's/^/err /;w /dev/stderr'];
    const child = spawn(manifold, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    onCleanup(() => killQuietly(child.pid!));
    const exited = once(child, 'exit');
    // stderr is not read until the worker has ended, and then manifold has had its chance to
    // exit (2 s at most: it ended within milliseconds, its stderr's tail dropped).
    child.stderr!.pause();
    child.stdin!.end(input);
    const sed = () => descendants(child.pid!).filter((pid) => commandOf(pid).startsWith('sed'));
    expect(await holdsWithin(() => sed().length > 0, 20_000)).toBe(true);
    expect(await holdsWithin(() => sed().length === 0, 20_000)).toBe(true);
    await Promise.race([exited, delay(2_000)]);
    const stderr = (await collect(child.stderr)).toString();
    const [exitCode] = await exited;
    expect(exitCode).toBe(0);
    const lines = stderr.split('\n').slice(0, -1);
    expect(lines.length).toBe(20_000);
    expect(lines.at(-1)).toBe('1\terr 20000');
  });
});
