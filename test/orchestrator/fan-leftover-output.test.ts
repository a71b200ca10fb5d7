import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { releaseFifo } from '../support/fifo.js';
import { holdsWithin, statOf } from '../support/proc.js';
import { collect, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A worker's leftover process (`sh -c 'late & cat'`) holds the worker's stdout after the
// worker has ended: as in a shell pipeline (and as with xargs), the output ends only when it
// closes too, and what it writes after its worker ended is the worker's output, never dropped
// (GNU parallel, reading a job's output from a file once the job exits, drops it). docs/fan.md,
// "Unix manners". The leftover writes only once the test has seen the worker's shell end.

/** Whether process `pid` has ended (gone, or a zombie its parent has yet to reap). */
function ended(pid: number): boolean {
  const stat = statOf(pid);
  return stat === null || stat.state === 'Z';
}

describe.concurrent("a worker's leftover process", () => {
  const ways: [string, string[], RegExp, string][] = [
    ['the ready merge', [], /^3$/, '1\n2\n3\nlate\n'],
    ['per-block workers, ordered', ['--merge', 'ordered'], /^3$/, '1\n2\n3\nlate\n'],
    ['--tag', ['--tag'], /^1\t3$/, '1\t1\n1\t2\n1\t3\n1\tlate\n'],
  ];
  for (const [name, args, last, expected] of ways) {
    it(`${name}: what it writes after its worker ended comes out, exit 0`, async ({
      expect,
      onTestFinished,
    }) => {
      const dir = tempDir();
      const go = join(dir, 'go');
      const pidFile = join(dir, 'pid');
      execFileSync('mkfifo', [go]);
      const worker = `(read x < ${go}; echo late) & cat; echo $$ > ${pidFile}`;
      const child = spawnManifold(['fan', '-j', '1', ...args, '--', 'sh', '-c', worker]);
      child.stdin!.end('1\n2\n3\n');
      onTestFinished(() => {
        releaseFifo(go);
      });
      const out = watch(child.stdout!);
      const stderr = collect(child.stderr);
      const exit = within(waitForExit(child), 30_000, () => `manifold did not end:\n${out.text}`);
      await out.waitFor(last, 1);
      expect(await holdsWithin(() => existsSync(pidFile), 15_000)).toBe(true);
      const shell = Number(readFileSync(pidFile, 'latin1'));
      expect(await holdsWithin(() => ended(shell), 15_000)).toBe(true);
      // The worker has ended; manifold still runs, its output not yet ended.
      expect(child.exitCode).toBe(null);
      // Released once it is there to read (a reader's open counts from when it is called).
      expect(await holdsWithin(() => releaseFifo(go), 15_000), 'the leftover reads its FIFO').toBe(
        true,
      );
      expect(await exit).toEqual({ exitCode: 0, signal: null });
      expect((await stderr).toString()).toBe('');
      expect(out.text).toBe(expected);
    });
  }
});
