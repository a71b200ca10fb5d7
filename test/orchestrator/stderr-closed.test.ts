import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, readSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { leftovers, pidDir, pidsIn, tracked } from '../support/proc.js';
import { within } from '../support/spawn.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// manifold's stderr a pipe whose reader goes (`2>&1 >out | head -c 100`) while workers' stderr
// lines pass through it (--tag): a program writing there dies of SIGPIPE. Node ignores SIGPIPE,
// and manifold crashed on the stream's EPIPE (exit 1, a stack trace written to the dead pipe),
// leaving its workers running. Now it stops them and dies of SIGPIPE.

// Far more than the reader's pipe holds (64 KiB), so manifold still has lines to write once the
// reader has gone, however late it goes: with 5,000 lines (63,890 bytes tagged) everything fit in
// the pipe, and a reader slow to go (a loaded machine) left manifold nothing to write, no EPIPE,
// and its worker asleep: rightly running on, as any program that has said all it had to say.
const noisy =
  'echo $$ > "$MF_PIDS/$$"; i=0; while [ $i -lt 50000 ]; do echo "noise $i" >&2; i=$((i+1)); done; exec sleep 1000';

async function readerGoes(args: string[], pids: string) {
  const [pipe] = openPipes(1);
  const child = spawn(manifold, args, {
    stdio: ['ignore', 'ignore', pipe!.write],
    env: { ...process.env, MF_PIDS: pids },
  });
  onCleanup(() => child.kill('SIGKILL'));
  closeSync(pipe!.write);
  // Some of the workers' lines come through, then the reader goes.
  readSync(pipe!.read, Buffer.alloc(100));
  closeAll([pipe!.read]);
  const [code, signal] = await within(once(child, 'exit'), 10_000, () => 'manifold went on');
  return { code, signal };
}

describe("manifold's stderr closed by its reader", () => {
  it('fan --tag: stops its workers and dies of SIGPIPE', async () => {
    const pids = pidDir();
    const input = fileWith('manifold-stderr-closed-', 'a\nb\n');
    const args = ['fan', '-j', '2', '--tag', '--input', input, '--shell', '--', noisy];
    expect(await readerGoes(args, pids)).toEqual({ code: null, signal: 'SIGPIPE' });
    expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
  });

  it('run, a fan stage with tag: true: stops every stage and dies of SIGPIPE', async () => {
    const pids = pidDir();
    const config = writeConfig(tempDir(), {
      input: fileWith('manifold-stderr-closed-', 'a\nb\n'),
      stages: [{ name: 'noisy', fan: { workers: 2, tag: true, worker: noisy } }, { run: 'wc -l' }],
    });
    expect(await readerGoes(['run', config], pids)).toEqual({ code: null, signal: 'SIGPIPE' });
    expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
  });
});
