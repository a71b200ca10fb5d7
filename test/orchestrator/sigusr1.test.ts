import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bin, fixture } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { records } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { descendants, leftovers, tracked } from '../support/proc.js';
import { startWorker } from '../support/queue.js';
import { spawnManifold, watch, within } from '../support/spawn.js';

// SIGUSR1 ends manifold and its filters as it ends a program without a handler for it. Node's
// own handler opened its debugger on 127.0.0.1:9229 instead, and the run went on.

describe('SIGUSR1', () => {
  it('stops manifold fan as SIGTERM does, exit 138, and opens no debugger', async () => {
    // Pieces of 100 bytes (--block 100): both workers are given some, and start.
    const child = spawnManifold([
      'fan',
      '-j',
      '2',
      '--block',
      '100',
      '--shell',
      '--',
      `cat | ${fixture('sig-hang')}`,
    ]);
    const stderr = watch(child.stderr!);
    child.stdin!.write(records(1, 100)); // and stdin stays open: input is still coming
    await stderr.waitFor(/^sig-hang: ready \d+$/, 2);
    const family = tracked(descendants(child.pid!));

    child.kill('SIGUSR1');
    const [code, signal] = await within(once(child, 'exit'), 10_000, () => {
      return `manifold did not exit within 10 s of SIGUSR1; it said: ${stderr.text}`;
    });
    expect(stderr.text).not.toMatch(/Debugger listening/);
    expect({ code, signal }).toEqual({ code: 138, signal: null });
    expect(await leftovers(family, 5000)).toEqual([]);
  });

  it('stops a queue worker waiting for its job, exit 138', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['--job', 'usr1', '--verbose'], ['cat']);
    await worker.stderr.waitFor(/^manifold: waiting for job "usr1" on /, 1);
    worker.child.kill('SIGUSR1');
    const end = await worker.done(10_000);
    expect(end.stderr).not.toMatch(/Debugger listening/);
    expect(end.exitCode).toBe(138);
  });

  it('kills an SDK filter (mf-map) by the signal, and opens no debugger', async () => {
    const child = spawn(bin('mf-map'), ['r'], { stdio: ['pipe', 'pipe', 'pipe'] });
    onCleanup(() => child.kill('SIGKILL'));
    // Its first record back: the filter is running (and listening), its input still open.
    child.stdin!.write('one\n');
    const stdout = watch(child.stdout!);
    await stdout.waitFor(/^one$/, 1);

    const stderr = watch(child.stderr!);
    child.kill('SIGUSR1');
    const [code, signal] = await within(once(child, 'exit'), 10_000, () => {
      return `mf-map did not exit within 10 s of SIGUSR1; it said: ${stderr.text}`;
    });
    expect(stderr.text).not.toMatch(/Debugger listening/);
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGUSR1' });
  });
});
