import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { killQuietly } from '../support/proc.js';
import { collect, finish } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A --stats FIFO is held open from the check before the run to the summary at its end, as the
// job log is: opened and closed to be checked, its reader took the close for its end and went,
// and the summary's open waited for a reader gone, deaf to SIGTERM.

/**
 * A FIFO in a fresh folder, and everything a reader of it reads until its writer closes. The
 * FIFO has a reader before manifold starts (one held here, which reads nothing): manifold
 * refuses one with none (below), and `cat` opens it whenever it is started.
 */
function fifoRead(): { fifo: string; read: Promise<string>; dir: string } {
  const dir = tempDir();
  const fifo = join(dir, 'stats.fifo');
  execFileSync('mkfifo', [fifo]);
  const held = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  onCleanup(() => closeSync(held));
  const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
  onCleanup(() => killQuietly(reader.pid!));
  return { fifo, dir, read: collect(reader.stdout).then((bytes) => bytes.toString()) };
}

function runManifold(args: string[], input: string) {
  const child = spawn(manifold, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  onCleanup(() => killQuietly(child.pid!));
  child.stdin!.end(input);
  return finish(child, 20_000);
}

const lines = Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('');

describe('--stats into a FIFO', () => {
  it('fan: its reader gets the summary at the end', async () => {
    const { fifo, read } = fifoRead();
    const end = await runManifold(['fan', '-j', '2', '--stats', fifo, '--', 'cat'], lines);
    expect(end.hung).toBe(false);
    expect(end.exitCode, end.stderr).toBe(0);
    expect(end.stdout.toString().split('\n').sort()).toEqual(`${lines}`.split('\n').sort());
    const summary = JSON.parse(await read) as { totals: { recordsIn: number } };
    expect(summary.totals.recordsIn).toBe(100);
  });

  it('run: its reader gets the summary at the end', async () => {
    const { fifo, read, dir } = fifoRead();
    const config = join(dir, 'p.yaml');
    writeFileSync(
      config,
      'stages:\n  - name: up\n    fan:\n      workers: 2\n      worker: [cat]\n',
    );
    const end = await runManifold(['run', '--stats', fifo, config], lines);
    expect(end.hung).toBe(false);
    expect(end.exitCode, end.stderr).toBe(0);
    const summary = JSON.parse(await read) as { stages: { records: { in: number } }[] };
    expect(summary.stages[0]!.records.in).toBe(100);
  });

  // It waited for a reader before reading any input: the run hung until one came (QA). As the
  // job log's, it is one line now, exit 2, before anything starts.
  it.each([
    ['fan', (fifo: string) => ['fan', '--stats', fifo, '--', 'cat']],
    ['run', (fifo: string, dir: string) => ['run', '--stats', fifo, join(dir, 'p.yaml')]],
  ])('%s: a FIFO with no reader is one line, exit 2', async (_, args) => {
    const dir = tempDir();
    const fifo = join(dir, 'stats.fifo');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(dir, 'p.yaml'), 'stages:\n  - run: cat\n');
    const end = await runManifold(args(fifo, dir), lines);
    expect([end.hung, end.exitCode, end.stderr, end.stdout.length]).toEqual([
      false,
      2,
      `manifold: --stats ${fifo}: a FIFO with no reader: start its reader first\n`,
      0,
    ]);
  });
});
