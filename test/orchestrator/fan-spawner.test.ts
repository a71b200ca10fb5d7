import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { records, recordText } from '../support/lines.js';
import {
  commandOf,
  descendants,
  holdsWithin,
  leftovers,
  pidDir,
  pidsIn,
  tracked,
} from '../support/proc.js';
import { finish } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// Per-block workers are started by a process starter of each slot's own (workers/process/
// spawner.ts): python3's where it runs, else perl's, else Node's spawn. All give the same runs.

const perBlock = ['fan', '-j', '2', '--per-block', '--block', '1K'];

/** A PATH that has `sh`, `cat` and `sleep` but no perl: the Perl starter cannot be started. */
function pathWithoutPerl(): string {
  const dir = join(tempDir('manifold-fan-spawner-'), 'bin');
  mkdirSync(dir);
  for (const name of ['sh', 'cat', 'sleep', 'ls', 'wc', 'rm'])
    symlinkSync(`/usr/bin/${name}`, join(dir, name));
  return dir;
}

/**
 * How the blocks are started: the Python starter (the default here: Debian's python3 is
 * installed), the Perl one (`MANIFOLD_STARTER=perl`), or Node's spawn, with perl asked for and
 * not on PATH.
 */
const STARTERS = ['python3', 'perl', 'none'] as const;
type Starter = (typeof STARTERS)[number];

/** Runs manifold with node named by its path, so that PATH may lack both node and perl. */
const runManifold = (args: string[], input: string, starter: Starter = 'python3', path?: string) =>
  run(process.execPath, [manifold, ...args], input, {
    env: {
      ...(starter === 'python3' ? {} : { MANIFOLD_STARTER: 'perl' }),
      ...(path !== undefined
        ? { PATH: path }
        : starter === 'none'
          ? { PATH: pathWithoutPerl() }
          : {}),
    },
    timeout: 15_000,
  });

describe('the process starter', () => {
  it.each([
    ['python3', '/usr/bin/python3 -I -S -c'],
    ['perl', 'perl -e'],
  ])(
    'killed mid-run (%s): one line naming it, exit 1, no process left, no hang',
    async (name, command) => {
      const pids = pidDir();
      // Both workers get a block, copy it and wait forever: only the starter's end ends the run.
      const child = spawn(
        process.execPath,
        [manifold, ...perBlock, '--', fixture('fail-on'), 'never', '3', 'hang'],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, MF_PIDS: pids, MANIFOLD_STARTER: name },
        },
      );
      child.stdin.end(records(1, 128));
      // A worker whose start the starter had not told when it was killed has no pid to name.
      expect(await holdsWithin(() => pidsIn(pids).length === 2, 10_000)).toBe(true);
      const below = descendants(child.pid!);
      const starters = below.filter((pid) => commandOf(pid).startsWith(command));
      expect(starters.length).toBeGreaterThanOrEqual(1);
      const procs = tracked(below);
      process.kill(starters[0]!, 'SIGKILL');
      const result = await finish(child, 10_000);
      expect(result.hung).toBe(false);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^manifold: worker [12] \\((?:pid \\d+: )?[^)]*fail-on never 3 hang\\) was killed, as the process starter \\(${name}, pid ${starters[0]}\\) was killed by SIGKILL on block \\d+ \\(records \\d+-\\d+\\)\\n$`,
        ),
      );
      expect(await leftovers(procs, 10_000)).toEqual([]);
    },
  );

  it('MANIFOLD_STARTER picks who starts the blocks: Debian’s python3 by default, perl, or manifold itself (spawn)', async () => {
    const parentOf = [
      'fan',
      '-j',
      '1',
      '--per-block',
      '--shell',
      '--',
      'cat /proc/$PPID/comm; cat >/dev/null',
    ];
    for (const [starter, parent] of [
      [undefined, 'python3'],
      ['perl', 'perl'],
      ['spawn', 'node'],
    ] as const) {
      const result = await run(process.execPath, [manifold, ...parentOf], 'a\n', {
        env: starter === undefined ? {} : { MANIFOLD_STARTER: starter },
        timeout: 15_000,
      });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout.toString()).toBe(`${parent}\n`);
    }
  });

  it('the Python starter, the Perl one, and Node spawn (no perl on PATH) give the same output', async () => {
    const input = records(1, 640);
    const args = [
      ...perBlock,
      '--merge',
      'ordered',
      '--',
      'sh',
      '-c',
      'cat; echo "end $MANIFOLD_BLOCK"',
    ];
    const [withPython, withPerl, without] = [
      await runManifold(args, input),
      await runManifold(args, input, 'perl'),
      await runManifold(args, input, 'none'),
    ];
    expect(withPerl).toEqual(withPython);
    expect(without).toEqual(withPython);
    expect(withPython.exitCode).toBe(0);
    expect(withPython.stdout.toString()).toContain(`${recordText(640)}\nend 10\n`);
  });

  it('gives today’s lines for a command not found (127) and a command exiting 3', async () => {
    const input = records(1, 640);
    const cases: [string[], RegExp, number][] = [
      [
        ['--shell', '--', 'mf-no-such-command', '--x'],
        /^manifold: worker [12] \(pid \d+: mf-no-such-command --x\) exited with status 127 \(command not found\) on block \d+ \(records \d+-\d+\)$/m,
        127,
      ],
      [
        ['--', 'sh', '-c', 'exit 3'],
        /^manifold: worker [12] \(pid \d+: sh -c exit 3\) exited with status 3 on block \d+ \(records \d+-\d+\)\n$/,
        1,
      ],
    ];
    // One worker: with two, the other block's shell writes its own "not found" to the stderr it
    // shares with manifold in two writes (dash), and manifold's line once landed between them.
    const oneWorker = ['fan', '-j', '1', '--per-block', '--block', '1K'];
    for (const [args, line, status] of cases) {
      // Through either starter, and through Node's spawn: the same line.
      for (const starter of STARTERS) {
        const result = await runManifold([...oneWorker, ...args], input, starter);
        expect(result.exitCode, result.stderr).toBe(status);
        expect(result.stderr).toMatch(line);
        expect(result.stderr).not.toMatch(/process starter|\n\s+at /);
      }
    }
  });

  it('looks a command up once, yet a command gone from PATH ends its next block as not found (127)', async () => {
    // The starter keeps where it found the command; the file goes after the first block. Neither
    // it nor Node's spawn (no perl on PATH) starts a process for the second: no pid to name.
    const input = records(1, 640);
    for (const starter of STARTERS) {
      const path = starter === 'none' ? pathWithoutPerl() : process.env.PATH;
      const dir = join(tempDir('manifold-fan-spawner-'), 'bin');
      mkdirSync(dir);
      writeFileSync(join(dir, 'mf-once'), '#!/bin/sh\ncat\nrm -f "$0"\n');
      chmodSync(join(dir, 'mf-once'), 0o755);
      const result = await runManifold(
        ['fan', '-j', '1', '--per-block', '--block', '1K', '--', 'mf-once'],
        input,
        starter,
        `${dir}:${path}`,
      );
      expect(result.exitCode, result.stderr).toBe(127);
      expect(result.stderr).toMatch(
        /^manifold: worker 1 \(mf-once\) exited with status 127 \(command not found\) on block 2 /,
      );
      // The first block's records, and no more.
      expect(result.stdout.toString()).toBe(input.slice(0, 1024));
    }
  });
});
