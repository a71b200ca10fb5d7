import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { holdsWithin, killQuietly } from '../support/proc.js';
import { finish, waitForExit } from '../support/spawn.js';
import { getKeys, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

// A FIFO named as a build's input is opened once, when it is read, as `cat` opens it: a check
// that opened it before and closed it again took what its writer wrote and threw it away, and
// the read's second open then waited for a writer gone, on the event loop, deaf to SIGTERM.

function fifoIn(dir: string, name: string): string {
  const fifo = join(dir, name);
  execFileSync('mkfifo', [fifo]);
  return fifo;
}

/** A writer of `file` into `fifo` that opens it, writes and goes, as a shell's `>` does. */
function writeInto(fifo: string, file: string): void {
  const writer = spawn('sh', ['-c', 'exec cat "$1" > "$2"', 'sh', file, fifo], {
    stdio: 'ignore',
  });
  onCleanup(() => killQuietly(writer.pid!));
}

function startBuild(inputs: string[], table: string) {
  const build = spawn(manifold, ['table', 'build', ...inputs, '--key', 'field:1', '-o', table], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onCleanup(() => killQuietly(build.pid!));
  return build;
}

/** Whether a thread of `pid` waits in a FIFO's open for the other end. */
function waitsForWriter(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some((task) =>
      readFileSync(`/proc/${pid}/task/${task}/wchan`, 'latin1').includes('wait_for_partner'),
    );
  } catch {
    return false;
  }
}

describe('table build of a FIFO', () => {
  it('builds what a writer wrote and went away from', async () => {
    const dir = tempDir();
    const fifo = fifoIn(dir, 'in.fifo');
    writeInto(fifo, writeInput(dir, 'a.in', 'f1 x\nf2 y\n'));
    const table = join(dir, 't.mft');
    const end = await finish(startBuild([fifo], table), 20_000);
    expect(end.hung).toBe(false);
    expect(end.exitCode, end.stderr).toBe(0);
    expect(end.stderr).toMatch(/^manifold: built .*: 2 records, 2 keys/);
    expect((await getKeys(table, ['f1', 'f2'])).stdout.toString()).toBe('f1 x\nf2 y\n');
  });

  it('reads FIFOs written one after the other, as `cat a b` reads them', async () => {
    const dir = tempDir();
    const first = fifoIn(dir, 'a.fifo');
    const second = fifoIn(dir, 'b.fifo');
    const a = writeInput(dir, 'a.in', 'a 1\n');
    const b = writeInput(dir, 'b.in', 'b 2\n');
    // The second writer starts once the first is done, as `{ cat a > f1; cat b > f2; }` would.
    const writer = spawn(
      'sh',
      ['-c', 'cat "$1" > "$2"; cat "$3" > "$4"', 'sh', a, first, b, second],
      {
        stdio: 'ignore',
      },
    );
    onCleanup(() => killQuietly(writer.pid!));
    const table = join(dir, 't.mft');
    const end = await finish(startBuild([first, second], table), 20_000);
    expect(end.hung).toBe(false);
    expect(end.exitCode, end.stderr).toBe(0);
    expect((await getKeys(table, ['a', 'b'])).stdout.toString()).toBe('a 1\nb 2\n');
  });

  it('dies of SIGTERM while it waits for a writer, leaving no folder', async () => {
    const dir = tempDir();
    const fifo = fifoIn(dir, 'in.fifo');
    const build = startBuild([fifo], join(dir, 't.mft'));
    expect(await holdsWithin(() => waitsForWriter(build.pid!), 20_000)).toBe(true);
    build.kill('SIGTERM');
    const end = await waitForExit(build);
    expect(end.signal).toBe('SIGTERM');
    expect(readdirSync(dir)).toEqual(['in.fifo']);
  });
});
