import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { holdsWithin, writingIntoFullPipe } from '../support/proc.js';
import { within } from '../support/spawn.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// A block failed, so the fan was stopping already, and its output waited on a reader that
// read nothing: a signal then had nothing more to stop and was not heard, and manifold waited
// for the reader (for ever, or exit 1 once it read). It now dies of the signal, as it does when
// the signal comes first.

/** Runs manifold with stdout a pipe this test holds and never reads; resolves once a failure is said and a write of stdout is stuck. */
async function stuckAfterFailure(args: string[]) {
  const [pipe] = openPipes(1);
  onCleanup(() => closeAll([pipe!.read]));
  const child = spawn(manifold, args, { stdio: ['ignore', pipe!.write, 'pipe'] });
  onCleanup(() => child.kill('SIGKILL'));
  closeSync(pipe!.write);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const stuck = await holdsWithin(
    () => stderr.includes('exited with status 3') && writingIntoFullPipe(child.pid!),
    20_000,
  );
  expect(stuck, 'the failure said, and a write of stdout stuck, within 20 s').toBe(true);
  return child;
}

const numbers = () =>
  fileWith(
    'manifold-signal-failed-',
    Array.from({ length: 600_000 }, (_, i) => `${i + 1}\n`).join(''),
  );
const script = 'if [ "$MANIFOLD_BLOCK" = 3 ]; then exit 3; fi; cat';

describe('a signal once a failure is stopping the fan, its output stuck', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s: manifold dies of it', async (signal) => {
    const args = ['fan', '-j', '2', '--per-block', '--block', '1M', '--input', numbers()];
    const child = await stuckAfterFailure([...args, '--shell', '--', script]);
    child.kill(signal);
    const [code, died] = await within(once(child, 'exit'), 10_000, () => 'manifold hung');
    expect([code, died]).toEqual([null, signal]);
  });

  // The same in a config's fan stage, the last, which can hang the same way.
  it.each(['SIGTERM', 'SIGINT'] as const)('manifold run, %s: dies of it', async (signal) => {
    const config = writeConfig(tempDir(), {
      input: numbers(),
      stages: [
        {
          name: 'numbers',
          fan: { workers: 2, attribution: 'per-block', block: '1M', worker: script },
        },
      ],
    });
    const child = await stuckAfterFailure(['run', config]);
    child.kill(signal);
    const [code, died] = await within(once(child, 'exit'), 10_000, () => 'manifold hung');
    expect([code, died]).toEqual([null, signal]);
  });
});
