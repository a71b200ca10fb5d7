import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../support/cleanup.js';
import { readStats } from '../support/fan-run.js';
import { holdsWithin } from '../support/proc.js';
import { spawnManifold, watch, within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// Input that trickles in, read by manifold itself (a socket: Node's 'pipe' stdio, as over ssh;
// a pipe under --stats), was held until a block filled or the input ended: `tail -f log |
// manifold fan -- grep x` showed nothing. Each line must come out while the input stays open,
// as it does from a pipe the process starter takes. The next line is written only once the
// last one came out: a fan that waits for more never shows it (the limit fails the test).
// Regular files are never cut at a pause, however late a read comes: their blocks are the
// same on a loaded machine as on an idle one.

const LIMIT = 15_000;

/** Writes lines one at a time into `input`, each once its output came out, then ends it. */
async function trickle(
  args: string[],
  input: (child: ReturnType<typeof spawnManifold>) => Writable,
) {
  const child = spawnManifold(['fan', ...args, '--', 'sed', '-u', 's/^/got /']);
  const stdout = watch(child.stdout!);
  const stderr = watch(child.stderr!);
  const writer = input(child);
  for (const n of [1, 2, 3]) {
    writer.write(`line ${n}\n`);
    await within(
      stdout.waitFor(new RegExp(`^got line ${n}$`), 1),
      LIMIT,
      () => `line ${n} was not passed on while the input stayed open; stdout: ${stdout.text}`,
    );
  }
  writer.end();
  const [code] = await once(child, 'exit');
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('input that trickles in is passed on as it comes', () => {
  it.each([
    ['-j 1', ['-j', '1']],
    ['-j 2', ['-j', '2']],
    ['-j 2 --stats', ['-j', '2', '--stats', '/dev/null']],
    ['--one-to-one --merge ordered', ['-j', '2', '--one-to-one', '--merge', 'ordered']],
    ['--dispatch hash', ['-j', '2', '--dispatch', 'hash']],
  ])(
    'from a socket (%s)',
    async (_, args) => {
      const result = await trickle(args, (child) => child.stdin!);
      expect(result).toEqual({
        code: 0,
        stdout: 'got line 1\ngot line 2\ngot line 3\n',
        stderr: '',
      });
    },
    60_000,
  );

  it('from a named pipe manifold reads itself (--input, --stats)', async () => {
    const fifo = join(tempDir('manifold-trickle-'), 'in');
    execFileSync('mkfifo', [fifo]);
    const args = ['-j', '2', '--stats', '/dev/null', '--input', fifo];
    const result = await trickle(args, () => createWriteStream(fifo));
    expect(result).toEqual({ code: 0, stdout: 'got line 1\ngot line 2\ngot line 3\n', stderr: '' });
  }, 60_000);
});

// Holds a write lease on a file (fcntl F_SETLEASE): another process's open of it waits until
// the lease is let go. Says `held`, then `opened` once someone's open waits (the lease's break
// signal, SIGIO), and lets go when its stdin ends.
const LEASE = `
import fcntl, os, signal, sys
signal.signal(signal.SIGIO, lambda *_: print("opened", flush=True))
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.fcntl(fd, 1024, fcntl.F_WRLCK)  # F_SETLEASE
print("held", flush=True)
sys.stdin.read()
fcntl.fcntl(fd, 1024, fcntl.F_UNLCK)
`;

/** How long the second file's open is held: a cut at a pause would come 50 ms into it. */
const HOLD = 2_000;

describe('regular files are never cut at a pause', () => {
  it("two --input files as one stream, the second's open held: one block, as when it is not", async () => {
    const dir = tempDir('manifold-trickle-');
    const [a, b, stats] = ['a', 'b', 'stats.json'].map((name) => join(dir, name));
    writeFileSync(a!, 'a1\na2\na3\n');
    writeFileSync(b!, 'b1\nb2\nb3\n');
    const lease = spawn('/usr/bin/python3', ['-c', LEASE, b!], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    onCleanup(() => lease.kill('SIGKILL'));
    const said = watch(lease.stdout!);
    await within(said.waitFor(/^held$/, 1), LIMIT, 'the lease was not taken');
    const args = ['fan', '-j', '1', '--block', '64', '--stats', stats!];
    const child = spawnManifold([...args, '--input', a!, '--input', b!, '--', 'cat']);
    const stdout = watch(child.stdout!);
    const stderr = watch(child.stderr!);
    await within(said.waitFor(/^opened$/, 1), LIMIT, () => `b was not opened: ${stderr.text}`);
    // a was read whole, and b's open waits: a cut at that pause would send a's lines on now.
    const early = await holdsWithin(() => stdout.text !== '', HOLD);
    lease.stdin!.end();
    const [code] = await once(child, 'exit');
    expect({ early, code, stdout: stdout.text, stderr: stderr.text }).toEqual({
      early: false,
      code: 0,
      stdout: 'a1\na2\na3\nb1\nb2\nb3\n',
      stderr: '',
    });
    expect(readStats(stats!).totals.blocks).toBe(1);
  }, 60_000);
});
