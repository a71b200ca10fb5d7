import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { commandOf, descendants, holdsWithin, killQuietly } from '../support/proc.js';
import { collect } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A host worker's stderr under --tag goes through a prefixer that waits for room in manifold's
// stderr: its end was told at once, and the lines still queued for a slow reader of manifold's
// stderr were lost when manifold exited (6,100 of 20,000, exit 0). `--host :` is this machine,
// through the same transport as a host's.
//
// The slow reader is a shell's `cat` behind a gate, not this process: a child's stdio stream
// that Node holds paused is drained to nowhere once the child exits (child_process's
// flushStdio), so a manifold that ended while it was held lost lines here, not in manifold.

describe('--host with --tag, its stderr read slowly', () => {
  it("gives every one of the workers' lines", async () => {
    const input = Array.from({ length: 20_000 }, (_, i) => `${i + 1}\n`).join('');
    const gate = join(tempDir('manifold-tag-stderr-'), 'gate');
    execFileSync('mkfifo', [gate]);
    const args = ['fan', '-j', '1', '--host', ':', '--tag', '--', 'sed', 's/^/err /;w /dev/stderr'];
    // manifold's stderr is a pipe that nothing reads until the gate opens.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's, not JavaScript's.
    const script = '"$@" 2>&1 >/dev/null | { read go < "$GATE"; cat; }; exit ${PIPESTATUS[0]}';
    const child = spawn('bash', ['-c', script, 'bash', manifold, ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, GATE: gate },
    });
    onCleanup(() => killQuietly(child.pid!));
    const stderr = collect(child.stdout);
    const exited = once(child, 'exit');
    child.stdin!.end(input);
    const running = (name: string) => () =>
      descendants(child.pid!).some((pid) => commandOf(pid).startsWith(name));
    expect(await holdsWithin(running('sed'), 20_000)).toBe(true);
    expect(await holdsWithin(() => !running('sed')(), 20_000)).toBe(true);
    // manifold has its chance to exit (2 s at most: it ended within milliseconds, its stderr's
    // tail dropped); then the reader starts.
    await holdsWithin(() => !running('node')(), 2_000);
    writeFileSync(gate, 'go\n');
    const [exitCode] = await exited;
    expect(exitCode).toBe(0);
    const lines = (await stderr).toString().split('\n').slice(0, -1);
    expect(lines.length).toBe(20_000);
    expect(lines.at(-1)).toBe('1\terr 20000');
  });
});
