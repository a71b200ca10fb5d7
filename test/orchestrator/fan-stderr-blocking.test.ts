import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openPipes } from '../../orchestrator/pipeline/pipes.js';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { commandOf, descendants, holdsWithin, writingIntoFullPipe } from '../support/proc.js';
import { collect } from '../support/spawn.js';
import { fileWith } from '../support/temp.js';

// manifold's stderr, when a pipe, is one open file shared with the workers, and Node makes it
// non-blocking once it writes there. The process starters' workers then met EAGAIN writing to
// a slow reader of stderr: `fan -j 2 --shell -- 'cat >&2' 2>&1 >/dev/null | (sleep 2; cat)`
// passed on 65,642 of 1,288,895 bytes and exited 1 (the workers' own "write error" lost too).
// Each starter now writes stderr through an open file of its own, blocking.

const STARTERS = [
  ['python', {}],
  ['perl', { MANIFOLD_STARTER: 'perl' }],
  ['spawn', { MANIFOLD_STARTER: 'spawn' }],
] as const;

describe('workers writing to a slow reader of stderr', () => {
  const text = Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join('');

  it.each(STARTERS)('started by %s: wait for it, and lose nothing', async (_name, env) => {
    const input = fileWith('manifold-stderr-', text);
    const [pipe] = openPipes(1);
    const child = spawn(
      manifold,
      ['fan', '-j', '2', '--shell', '--input', input, '--', 'cat >&2'],
      {
        stdio: ['ignore', 'ignore', pipe!.write],
        env: { ...process.env, ...env },
      },
    );
    onCleanup(() => child.kill('SIGKILL'));
    closeSync(pipe!.write);
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    // Nothing read yet: a worker blocks writing (the pipe is full), or, with a non-blocking
    // stderr, fails and manifold ends.
    const cats = () => descendants(child.pid!).filter((pid) => commandOf(pid) === 'cat');
    const held = await holdsWithin(() => exited || cats().some(writingIntoFullPipe), 20_000);
    expect(held, 'a worker blocked writing stderr, or manifold ended, within 20 s').toBe(true);
    const reader = new Socket({ fd: pipe!.read, readable: true, writable: false });
    const [stderr, [code]] = await Promise.all([collect(reader), once(child, 'exit')]);
    expect(code).toBe(0);
    expect(stderr.length).toBe(Buffer.byteLength(text));
  });
});
