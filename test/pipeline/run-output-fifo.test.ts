import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { holdsWithin, waitsIn } from '../support/proc.js';
import { within } from '../support/spawn.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// A config's output that is a named pipe nobody reads: its open waits for a reader. It was
// opened on manifold's main thread, which then heard no signal (SIGTERM and SIGINT did nothing
// until SIGKILL). A shell's `cat big > fifo` dies of SIGTERM there; manifold now exits 143/130.

describe('output: a named pipe nobody opens for reading', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s ends the run waiting for its reader', async (signal, status) => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'out.fifo')]);
    const config = writeConfig(dir, {
      input: fileWith('manifold-output-fifo-', 'a\nb\n'),
      output: join(dir, 'out.fifo'),
      stages: [{ run: 'cat' }],
    });
    const child = spawn(manifold, ['run', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    onCleanup(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const waiting = await holdsWithin(
      () => waitsIn(child.pid!, /wait_for_partner|fifo_open/),
      10_000,
    );
    expect(waiting, 'manifold waiting in the open of the named pipe within 10 s').toBe(true);
    child.kill(signal);
    const [code] = await within(once(child, 'exit'), 10_000, () => 'manifold did not hear it');
    expect({ code, stderr }).toEqual({ code: status, stderr: '' });
  });
});
