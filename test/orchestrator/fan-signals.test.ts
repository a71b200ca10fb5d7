import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { fixture, manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { records } from '../support/lines.js';
import {
  commandOf,
  descendants,
  holdsWithin,
  leftovers,
  pidDir,
  pidsIn,
  statOf,
  tracked,
  writingIntoFullPipe,
} from '../support/proc.js';
import { spawnManifold, watch, within } from '../support/spawn.js';

// `manifold fan` and signals, on real processes: it stops every worker and what they started,
// dies of the signal itself when it must, and ends quietly when downstream closes.

const spawnFan = (args: string[], env: Record<string, string> = {}) =>
  spawnManifold(['fan', ...args], env);

describe('signals', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)(
    'on %s stops every worker and what it started, then exits %i',
    async (signal, status) => {
      // Each worker is a shell running a pipeline: sh, cat and sig-hang (which waits forever).
      // Pieces of 100 bytes: both workers are given some, and start.
      const args = ['-j', '2', '--block', '100', '--shell', '--', `cat | ${fixture('sig-hang')}`];
      const child = spawnFan(args);
      const stderr = watch(child.stderr!);
      child.stdin!.write(records(1, 100)); // and stdin stays open: input is still coming
      await stderr.waitFor(/^sig-hang: ready \d+$/, 2);
      const family = tracked(descendants(child.pid!));
      expect(family.length).toBeGreaterThanOrEqual(6);

      child.kill(signal);
      const [code, killedBy] = await within(once(child, 'exit'), 10_000, () => {
        const running = family.filter(({ pid, start }) => statOf(pid)?.start === start);
        return `manifold did not exit within 10 s of ${signal}; still there: ${running.map((p) => p.pid)}`;
      });
      expect({ code, killedBy }).toEqual({ code: status, killedBy: null });
      // The shells are reaped by manifold. What they started got the signal with them (their
      // process group) and is reaped by init once orphaned, which can take a second or two.
      expect(await leftovers(family, 5000)).toEqual([]);
      expect(stderr.text).not.toMatch(/^manifold:/m);
    },
  );

  it('on SIGKILL of manifold, its workers see the end of their input and exit', async () => {
    // Pieces of 100 bytes: both workers are given some, and start.
    const args = ['-j', '2', '--block', '100', '--', fixture('sig-cat')];
    const child = spawnFan(args, { MF_ANNOUNCE: '1' });
    const stderr = watch(child.stderr!);
    child.stdin!.write(records(1, 100));
    const ready = await stderr.waitFor(/^sig-cat: ready \d+$/, 2);
    const workers = tracked(ready.map((line) => Number(line.split(' ').pop())));
    expect(workers).toHaveLength(2);

    child.kill('SIGKILL');
    const [, killedBy] = await once(child, 'exit');
    expect(killedBy).toBe('SIGKILL');
    expect(await leftovers(workers, 10_000)).toEqual([]);
  });
  it('on SIGTERM while blocked writing to a pipe nobody reads, dies of it at once', async () => {
    // A shell's `manifold fan ... | less`, then Ctrl-C: less waits for a key, reading nothing.
    // A kernel pipe as `manifold run` makes them: this process keeps its read end, unread.
    const pipe = openPipes(1)[0]!;
    onCleanup(() => closeAll([pipe.read]));
    const yes = spawn('yes', [], { stdio: ['ignore', 'pipe', 'ignore'] });
    onCleanup(() => yes.kill('SIGKILL'));
    const child = spawn(manifold, ['fan', '-j', '2', '--', fixture('sig-cat')], {
      stdio: [yes.stdout!, pipe.write, 'pipe'],
      env: { ...process.env, MF_ANNOUNCE: '1' },
    });
    onCleanup(() => child.kill('SIGKILL'));
    yes.stdout!.destroy();
    closeSync(pipe.write);
    const stderr = watch(child.stderr!);
    const ready = await stderr.waitFor(/^sig-cat: ready \d+$/, 2);
    // The output is written by manifold, or, for a ready merge into its stdout, by its process
    // starter (docs/fan.md, "Who writes a ready merge"): whichever it is, it is blocked, and it
    // is gone after the signal, as the workers are.
    const starter = descendants(child.pid!).filter((pid) =>
      commandOf(pid).startsWith('/usr/bin/python3 -I -S -c'),
    );
    expect(starter).toHaveLength(1);
    const workers = tracked([...ready.map((line) => Number(line.split(' ').pop())), ...starter]);
    const blocked = await holdsWithin(
      () => [child.pid!, ...starter].some(writingIntoFullPipe),
      10_000,
    );
    expect(blocked, 'manifold or its starter blocked writing its stdout within 10 s').toBe(true);
    // Blocked itself, manifold dies of the signal; else it ends as it does on SIGTERM (143).
    const itself = writingIntoFullPipe(child.pid!);

    child.kill('SIGTERM');
    const [code, signal] = await within(
      once(child, 'exit'),
      10_000,
      () => 'manifold is still there',
    );
    expect({ code, signal }).toEqual(
      itself ? { code: null, signal: 'SIGTERM' } : { code: 143, signal: null },
    );
    expect(await leftovers(workers, 5000)).toEqual([]);
    expect(stderr.text).not.toMatch(/^manifold:/m);
  });
});

describe('downstream closes', () => {
  it('ends quietly, killed by SIGPIPE, with no worker left over', async () => {
    const pids = pidDir();
    // A worker starts with its first block: the reader holds the pipe open after its line until
    // both have started (their pids in MF_PIDS), so that manifold cannot die before the second
    // block went out; it gives up after 10 s, and the count below fails. It reads on meanwhile:
    // the process starter writes the first worker's output itself, and while that waits on a
    // full pipe it starts no other worker (1 run in 20 hung so, with one worker started).
    const reader =
      'head -1; for i in $(seq 1000); do [ "$(ls "$MF_PIDS" | wc -l)" -ge 2 ] && break; head -c 65536 > /dev/null; done';
    const script = `yes | ${manifold} fan -j 2 -- ${fixture('sig-cat')} | { ${reader}; }; echo "\${PIPESTATUS[1]}"`;
    const result = await run('bash', ['-c', script], '', {
      env: { MF_PIDS: pids },
      timeout: 20_000,
    });
    expect({ stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      stdout: 'y\n141\n',
      stderr: '',
    });
    expect(pidsIn(pids)).toHaveLength(2);
    expect(await leftovers(tracked(pidsIn(pids)), 0)).toEqual([]);
  });

  it('dies of SIGPIPE itself, rather than exiting with status 141', async () => {
    // The same pipeline, built here, so that manifold's own end can be seen: a shell shows both
    // as 141.
    const yes = spawn('yes', [], { stdio: ['ignore', 'pipe', 'ignore'] });
    onCleanup(() => yes.kill('SIGKILL'));
    const child = spawn(manifold, ['fan', '-j', '2', '--', 'cat'], {
      stdio: [yes.stdout!, 'pipe', 'pipe'],
    });
    onCleanup(() => child.kill('SIGKILL'));
    yes.stdout!.destroy();
    const head = spawn('head', ['-1'], { stdio: [child.stdout!, 'pipe', 'inherit'] });
    child.stdout!.destroy();
    const stderr = watch(child.stderr!);
    const firstLine = watch(head.stdout!);
    const [[code, signal]] = await Promise.all([once(child, 'close'), once(head, 'close')]);
    expect({ code, signal, stderr: stderr.text, head: firstLine.text }).toEqual({
      code: null,
      signal: 'SIGPIPE',
      stderr: '',
      head: 'y\n',
    });
  });
});
