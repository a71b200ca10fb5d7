import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { releaseFifo } from '../support/fifo.js';
import { holdsWithin, statOf } from '../support/proc.js';
import { collect, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A worker that fails while a process it started holds its stdout (`sh -c 'sleep 300 & exit
// 3'`) has that leftover stopped (SIGTERM, SIGKILL 2 s later), as a failed stage of `manifold
// run` has: the failure is acted on at once. Before, manifold waited for the leftover to close
// the output, for ever for one that never ends, and `--halt now` halted nothing meanwhile.
// One that ended with a status --ok-status takes keeps its leftover, as one that ended well
// does (fan-leftover-output.test.ts). docs/fan.md, "A worker's leftover processes".

/** Whether process `pid` is gone (or a zombie its parent has yet to reap). */
function ended(pid: number): boolean {
  const stat = statOf(pid);
  return stat === null || stat.state === 'Z';
}

/**
 * A shell line that starts a leftover holding stdout, records its pid in `file`, exits 3. The
 * leftover holds stdin's pipe too (fd 3), so that a block written after the shell ended meets a
 * reader, not EPIPE (which has manifold kill the worker's group: the case this does not test).
 */
const failing = (file: string, ignoresTerm = false) =>
  `${ignoresTerm ? "trap '' TERM; " : ''}exec 3<&0; sleep 300 & echo $! > ${file}; exit 3`;

/** The leftover's pid, once recorded. */
async function leftoverPid(file: string): Promise<number> {
  if (!(await holdsWithin(() => existsSync(file) && readFileSync(file, 'latin1') !== '', 15_000)))
    throw new Error('the worker never recorded its leftover');
  return Number(readFileSync(file, 'latin1'));
}

describe.concurrent("a failed worker's leftover process", () => {
  const ways: [string, string[], boolean, Record<string, string>][] = [
    ['the ready merge, input from a pipe', [], false, {}],
    ['the ready merge, input from a file', ['--input', 'FILE'], false, {}],
    ['per-block workers, ordered', ['--merge', 'ordered', '--input', 'FILE'], false, {}],
    ['--one-to-one', ['--merge', 'ordered', '--one-to-one'], false, {}],
    ['--tag, a leftover that ignores SIGTERM', ['--tag'], true, {}],
    ["Node's spawn (MANIFOLD_STARTER=spawn)", [], false, { MANIFOLD_STARTER: 'spawn' }],
    ['the Perl starter', ['--input', 'FILE'], false, { MANIFOLD_STARTER: 'perl' }],
  ];
  for (const [name, args, ignoresTerm, env] of ways) {
    it(`${name}: is stopped, the failure said, exit 1`, async ({ expect }) => {
      const dir = tempDir();
      const input = join(dir, 'in.txt');
      writeFileSync(input, '1\n2\n3\n');
      const pidFile = join(dir, 'leftover');
      const fanArgs = args.map((arg) => (arg === 'FILE' ? input : arg));
      const command = failing(pidFile, ignoresTerm);
      const child = spawnManifold(['fan', '-j', '1', ...fanArgs, '--shell', '--', command], env);
      child.stdin!.end(fanArgs.includes('--input') ? '' : '1\n2\n3\n');
      const stderr = collect(child.stderr);
      const out = watch(child.stdout!);
      const exit = within(waitForExit(child), 30_000, () => `manifold did not end:\n${out.text}`);
      const leftover = await leftoverPid(pidFile);
      expect(await exit).toEqual({ exitCode: 1, signal: null });
      expect((await stderr).toString()).toMatch(
        /^manifold: worker 1 \(pid \d+: .*exit 3\) exited with status 3[;,]? .*block 1 .*\n$/,
      );
      expect(await holdsWithin(() => ended(leftover), 15_000), 'the leftover ended').toBe(true);
    });
  }

  it('--halt now stops the other workers at once', async ({ expect }) => {
    const dir = tempDir();
    const pidFile = join(dir, 'leftover');
    const command = `if [ "$MANIFOLD_WORKER" = 1 ]; then ${failing(pidFile)}; fi; exec cat >/dev/null`;
    const child = spawnManifold(['fan', '-j', '2', '--block', '1k', '--shell', '--', command]);
    // An input that never ends: only the halt ends the run (whose end then refuses it: EPIPE).
    child.stdin!.on('error', () => {});
    const feed = setInterval(() => child.stdin!.write(`${'x'.repeat(99)}\n`.repeat(100)), 10);
    const exit = within(waitForExit(child), 30_000, () => 'manifold did not halt');
    const stderr = collect(child.stderr);
    try {
      const leftover = await leftoverPid(pidFile);
      expect(await exit).toEqual({ exitCode: 1, signal: null });
      expect((await stderr).toString()).toMatch(/worker 1 .* exited with status 3/);
      expect(await holdsWithin(() => ended(leftover), 15_000)).toBe(true);
    } finally {
      clearInterval(feed);
    }
  });

  it('--ok-status 3 keeps it: what it writes later is output, exit 0', async ({
    expect,
    onTestFinished,
  }) => {
    const dir = tempDir();
    const go = join(dir, 'go');
    const shellPid = join(dir, 'shell');
    execFileSync('mkfifo', [go]);
    const command = `(read x < ${go}; echo late) & cat; echo $$ > ${shellPid}; exit 3`;
    const child = spawnManifold(['fan', '-j', '1', '--ok-status', '3', '--shell', '--', command]);
    child.stdin!.end('1\n');
    const release = () => releaseFifo(go);
    onTestFinished(() => void release());
    const out = watch(child.stdout!);
    const exit = within(waitForExit(child), 30_000, () => `manifold did not end:\n${out.text}`);
    await out.waitFor(/^1$/, 1);
    expect(await holdsWithin(() => existsSync(shellPid), 15_000)).toBe(true);
    const shell = Number(readFileSync(shellPid, 'latin1'));
    expect(await holdsWithin(() => ended(shell), 15_000)).toBe(true);
    expect(child.exitCode).toBe(null);
    expect(await holdsWithin(release, 15_000), 'the leftover reads its FIFO').toBe(true);
    expect(await exit).toEqual({ exitCode: 0, signal: null });
    expect(out.text).toBe('1\nlate\n');
  });
});
