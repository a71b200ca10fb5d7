import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import {
  commandOf,
  descendants,
  holdsWithin,
  leftovers,
  tracked,
  waitsIn,
  writingIntoFullPipe,
} from '../support/proc.js';
import { within } from '../support/spawn.js';
import { fileWith } from '../support/temp.js';

// A fan stopped (a signal, its reader gone, --halt now) while its workers were paused, their
// output unread because manifold's own reader was slow: a worker process's end is told once its
// output is all read, so a worker still paused was never heard to end, and manifold waited for
// it. When nothing else held its event loop, Node left with status 1 and no message (seen as
// `fan --per-block --input FILE -- cat | head -c 100` exiting 1 in about a third of runs);
// otherwise it hung. A stopped worker's output is now read on and dropped.

/**
 * 32 MiB of lines, in blocks of 8 MiB: the two blocks running at a time (16 MiB) are more than
 * the pipes, manifold's output buffer (8 MiB) and what an ordered merge holds (`--merge-memory
 * 1M` below) take together, so some worker is always left blocked writing. Two blocks of 4 MiB
 * fit the output buffer exactly: a ready merge could read both whole, both `cat`s ended, and
 * manifold rightly started no more while its output waited (seen in CI, and by hand in 4 of 12
 * runs); with the default 64M an ordered merge could hold every block. Either way the test's
 * premise, not manifold, failed.
 */
let big: string | null = null;
const BIG = () => {
  big ??= fileWith('manifold-stop-paused-', `${'x'.repeat(63)}\n`.repeat(1 << 19));
  return big;
};

/** Blocked on a pipe: writing into a full one, or reading an empty one (its block not sent yet). */
const onPipe = (pid: number) => writingIntoFullPipe(pid) || waitsIn(pid, /pipe_read/);

const MODES = [
  ['per-block workers', ['--per-block']],
  ['per-block workers, in order', ['--merge', 'ordered', '--merge-memory', '1M']],
  ['workers that stay, in order', ['--merge', 'ordered', '--merge-memory', '1M', '--one-to-one']],
] as const;

const STARTERS = [
  ['python', {}],
  ['perl', { MANIFOLD_STARTER: 'perl' }],
  ['spawn', { MANIFOLD_STARTER: 'spawn' }],
] as const;

describe.concurrent('a fan stopped while its workers are paused for a slow reader', () => {
  describe.each(STARTERS)('started by %s', (_starter, env) => {
    it.each(MODES)(
      '%s: SIGTERM ends it, and every worker',
      { timeout: 60_000 },
      async (_mode, mode) => {
        // Its stdout is a kernel pipe this test holds and never reads.
        const pipe = openPipes(1)[0]!;
        onCleanup(() => closeAll([pipe.read]));
        const args = ['fan', '-j', '2', '--block', '8M', ...mode, '--input', BIG(), '--', 'cat'];
        const child = spawn(manifold, args, {
          stdio: ['ignore', pipe.write, 'pipe'],
          env: { ...process.env, ...env },
        });
        onCleanup(() => child.kill('SIGKILL'));
        closeSync(pipe.write);
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        // Every worker running blocked on a pipe, one at least writing its output: manifold (or
        // the Python starter writing an ordered merge itself) stopped reading it, and starts no
        // more blocks while its own output waits. A worker may wait for its block instead: the
        // starter, blocked writing stdout, sends no block meanwhile (docs/fan.md).
        const cats = () => descendants(child.pid!).filter((pid) => commandOf(pid) === 'cat');
        const paused = await holdsWithin(() => {
          const now = cats();
          return now.length > 0 && now.every(onPipe) && now.some((pid) => writingIntoFullPipe(pid));
        }, 20_000);
        expect(paused, 'the workers blocked writing their output within 20 s').toBe(true);
        const workers = tracked(cats());
        child.kill('SIGTERM');
        const [code, signal] = await within(once(child, 'exit'), 10_000, () => 'manifold hung');
        // Blocked writing its stdout, manifold dies of the signal; else it exits as on SIGTERM.
        expect([143, 'SIGTERM']).toContain(code ?? signal);
        expect(await leftovers(workers, 5_000)).toEqual([]);
        expect(stderr).not.toMatch(/^manifold:/m);
      },
    );
  });

  it.each(MODES)(
    '%s: a reader gone (| head -c 100) ends it by SIGPIPE',
    { timeout: 60_000 },
    async (_mode, mode) => {
      const file = BIG();
      const fan = `"$NODE" "$MANIFOLD" fan -j 2 --block 8M ${mode.join(' ')} --input ${file} -- cat`;
      // Several times: the reader's end comes at a different point of each run.
      const script = `for i in 1 2 3 4; do ${fan} | head -c 100 > /dev/null; echo "\${PIPESTATUS[0]}"; done`;
      const result = await run('bash', ['-c', script], '', {
        env: { NODE: process.execPath, MANIFOLD: manifold },
        timeout: 60_000,
      });
      expect(result.stdout.toString()).toBe('141\n'.repeat(4));
      expect(result.stderr).toBe('');
    },
  );
});
