import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import {
  commandOf,
  descendants,
  holdsWithin,
  killQuietly,
  leftovers,
  tracked,
  waitsIn,
  workingIn,
} from '../support/proc.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// `manifold run` leaves nothing running behind it: not when a later stage cannot be started,
// nor when a signal comes while it waits for a named pipe's writer.

const tempDir = () => makeTempDir('manifold-pipe-leftovers-');

/** A first stage that outlives any test unless it is killed. */
const LINGERER = 'exec sleep 60';

/** Runs `manifold run c.yaml` under `ulimit -n limit` in `dir`, stdin left open by nobody. */
function underLimit(dir: string, limit: number) {
  return run('bash', ['-c', `ulimit -n ${limit}; exec "$0" run c.yaml < /dev/null`, manifold], '', {
    cwd: dir,
    timeout: 20_000,
  });
}

/**
 * The processes working in `dir`: every stage a run there started, however early it was
 * stopped (a stage killed before it could record its pid is one too).
 */
function stagesIn(dir: string): string[] {
  const found = workingIn(dir);
  onCleanup(() => {
    for (const pid of found) killQuietly(pid);
  });
  return found.map((pid) => `pid ${pid}: ${commandOf(pid)}`);
}

describe('a stage that cannot be started', () => {
  it('a fan refused up front stops the stages started before it: one line, exit 2', async () => {
    const dir = tempDir();
    writeConfig(
      dir,
      {
        stages: [{ run: LINGERER }, { fan: { workers: 4000, worker: 'cat' } }],
      },
      'c.yaml',
    );
    const result = await underLimit(dir, 64);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^manifold: -j 4000: the open-file limit \(ulimit -n 64\)[^\n]*\n$/,
    );
    // manifold waited for what it stopped: gone by the time it exited.
    expect(stagesIn(dir)).toEqual([]);
  });

  it('a command out of descriptors at its start stops the others: one line, exit 1', async () => {
    // A branch's command starts after the tee's pipes are open; somewhere below the limit that
    // runs the pipeline, its spawn is the one refused (EMFILE). Each limit on the way up to it
    // must end in one line with nothing left running, not wait on the first stage, which never
    // ends.
    const dir = tempDir();
    const branches = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`b${i}`, [{ run: 'cat' }]]),
    );
    const join_ = `cat ${Object.keys(branches)
      .map((name) => `{${name}}`)
      .join(' ')}`;
    writeConfig(dir, { stages: [{ run: LINGERER }, { branches, join: join_ }] }, 'c.yaml');
    let refusedSpawn = false;
    for (let limit = 40; !refusedSpawn && limit <= 120; limit++) {
      const result = await underLimit(dir, limit);
      expect(stagesIn(dir), `ulimit -n ${limit}`).toEqual([]);
      expect({ limit, exitCode: result.exitCode }).toEqual({ limit, exitCode: 1 });
      expect(result.stderr, `ulimit -n ${limit}`).toMatch(
        /^manifold: [^\n]*out of file descriptors \(EMFILE, ulimit -n \d+\)[^\n]*\n$/,
      );
      if (result.stderr.includes('cannot start')) refusedSpawn = true;
    }
    expect(refusedSpawn).toBe(true);
  }, 120_000);
});

describe('a named pipe as input', () => {
  it('is read as it comes, and SIGTERM stops manifold while the pipe has no writer', async () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'in.fifo')]);
    writeConfig(dir, { input: 'in.fifo', stages: [{ run: ['tr', 'a-z', 'A-Z'] }] }, 'c.yaml');

    // Fed: the pipe's data goes through.
    const fed = execa(manifold, ['run', 'c.yaml'], { cwd: dir, reject: false, timeout: 20_000 });
    execFileSync('bash', ['-c', 'echo data > in.fifo'], { cwd: dir });
    expect((await fed).stdout).toBe('DATA');

    // Never fed: waiting for a writer, in manifold or anything it started, SIGTERM ends it all.
    const waiting = execa(manifold, ['run', 'c.yaml'], {
      cwd: dir,
      reject: false,
      timeout: 20_000,
    });
    const pid = waiting.pid!;
    const inFifoOpen = () =>
      [pid, ...descendants(pid)].some((p) => waitsIn(p, /fifo_open|wait_for_partner/));
    expect(await holdsWithin(inFifoOpen, 10_000)).toBe(true);
    const below = tracked(descendants(pid));
    process.kill(pid, 'SIGTERM');
    const result = await waiting;
    expect({ exitCode: result.exitCode, timedOut: result.timedOut, stderr: result.stderr }).toEqual(
      { exitCode: 143, timedOut: false, stderr: '' },
    );
    expect(await leftovers(below, 0)).toEqual([]);
  }, 30_000);
});
