import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { holdsEachOnce } from '../support/counting.js';
import { fan, OK, ok } from '../support/fan-run.js';
import { escapeRegExp, records, recordText } from '../support/lines.js';
import {
  commandOf,
  descendants,
  holdsWithin,
  leftovers,
  pidDir,
  pidsIn,
  tracked,
  writingIntoFullPipe,
} from '../support/proc.js';
import { finish, spawnManifold } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// --timeout: a worker that spends too long on a block is killed (its process group) and the
// block retried or failed, named in one line. Hung workers here are `sleep 1000`, so only the
// timeout can end them; timeouts are short. Inputs are 16-byte numbered lines: with --block 1K,
// block k holds records 64(k-1)+1 to 64k. The healthy blocks must finish inside the timeout on a
// loaded 2-core CI machine, where starting `sh -c cat` has taken over 300ms: so 2s.

const block = (k: number) => records(64 * (k - 1) + 1, 64 * k);

describe('--timeout', () => {
  it('kills a per-block worker that hangs, and fails its block in one line naming worker, pid, block and records', async () => {
    const pids = pidDir();
    const script = `echo $$ > ${pids}/$$; if [ $MANIFOLD_BLOCK = 2 ]; then exec sleep 1000; fi; cat`;
    const result = await fan(
      [
        '-j',
        '2',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--timeout',
        '2s',
        '--shell',
        '--',
        script,
      ],
      records(1, 640),
      { timeout: 20_000 },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe(block(1));
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: worker [12] \\(pid \\d+: ${escapeRegExp(script)}\\) timed out after 2s on block 2 \\(records 65-128\\)\\n$`,
      ),
    );
    expect(await leftovers(tracked(pidsIn(pids)), 0)).toEqual([]);
  }, 30_000);

  // It was SIGKILL at once: a worker could not clean up. GNU parallel's --termseq asks first.
  it.each([
    [
      'asked first (SIGTERM): its trap runs',
      `trap 'echo cleaned > $D/cleaned; exit 143' TERM;`,
      true,
    ],
    ['one that ignores SIGTERM is killed (SIGKILL) a moment later', "trap '' TERM;", false],
  ])(
    'a worker past its time is %s',
    async (_, trap, cleaned) => {
      const dir = tempDir('manifold-fan-timeout-');
      const pids = pidDir();
      const script = `D=${dir}; echo $$ > ${pids}/$$; if [ $MANIFOLD_BLOCK = 2 ]; then ${trap} sleep 1000 & echo $! > ${pids}/$!; wait; fi; cat`;
      const args = ['-j', '2', '--block', '1K', '--merge', 'ordered', '--timeout', '2s'];
      const result = await fan([...args, '--shell', '--', script], records(1, 640), {
        timeout: 20_000,
      });
      expect(result.exitCode).toBe(1);
      expect(result.stdout.toString()).toBe(block(1));
      expect(result.stderr).toMatch(/timed out after 2s on block 2 \(records 65-128\)\n$/);
      expect(existsSync(join(dir, 'cleaned'))).toBe(cleaned);
      // The background sleep, orphaned as its shell ends, is reaped by whoever adopts it.
      expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
    },
    30_000,
  );

  // Time a worker spent blocked on output manifold did not read (a stalled reader) counted, and
  // a worker waiting for the reader was killed as if it hung: `timed out after 1s`, exit 1.
  it("a worker whose output manifold does not read is not timed meanwhile: the reader's stall is no hang", async () => {
    // 64 MiB: more than manifold holds of its workers' output before it stops reading it; blocks
    // of 4 MiB: more than a worker's output pipe (1 MiB) holds, so it waits in its write.
    const input = records(1, 4_194_304);
    const args = ['fan', '-j', '2', '--block', '4M', '--timeout', '1s', '--', 'cat'];
    const child = spawnManifold(args);
    child.stdin!.end(input);
    // Nothing of stdout is read until a worker waits in its full pipe, and then for longer
    // than the timeout (the stall is the case: its length is what is tested).
    const blocked = () =>
      descendants(child.pid!).some(
        (pid) => commandOf(pid).startsWith('cat') && writingIntoFullPipe(pid),
      );
    expect(await holdsWithin(blocked, 10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const result = await finish(child, 20_000);
    expect({ status: result.exitCode, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    // Every record once (a ready merge: in the order the blocks came out).
    expect(holdsEachOnce(result.stdout, 1, 4_194_304, 15)).toBe(true);
  }, 30_000);

  it('with --retries, the hung block runs again and the output is whole; the kill is said all the same', async () => {
    const dir = tempDir('manifold-fan-timeout-');
    const script = `if [ $MANIFOLD_BLOCK = 3 ] && mkdir ${dir}/once 2>/dev/null; then exec sleep 1000; fi; cat`;
    const result = await fan(
      [
        '-j',
        '2',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--timeout',
        '2.5',
        '--retries',
        '1',
        '--shell',
        '--',
        script,
      ],
      records(1, 640),
      { timeout: 20_000 },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toBe(records(1, 640));
    expect(result.stderr).toMatch(
      /^manifold: worker [12] \(pid \d+: .*\) timed out after 2.5s on block 3 \(records 129-192\); trying again \(1 of 1\)\n$/,
    );
  }, 30_000);

  it('a persistent worker is timed on its oldest block: one stuck on a record is killed, that block named and logged', async () => {
    const pids = pidDir();
    const log = join(tempDir(), 'jobs.tsv');
    // Writes each record as it reads it, and hangs for good on record 150 (block 3).
    const script = `echo $$ > ${pids}/$$; while IFS= read -r line; do if [ "$line" = ${recordText(150)} ]; then exec sleep 1000; fi; printf '%s\\n' "$line"; done`;
    const result = await fan(
      [
        '-j',
        '1',
        '--block',
        '1K',
        '--one-to-one',
        '--timeout',
        '2s',
        '--joblog',
        log,
        '--shell',
        '--',
        script,
      ],
      records(1, 640),
      { timeout: 20_000 },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe(records(1, 128) + records(129, 149));
    // Blocks 4 to 10 only waited behind block 3 on its pipe: the halt leaves them unstarted,
    // with no row and not named (they were each logged 'failed: timed out' before).
    expect(result.stderr).toMatch(
      /^manifold: worker 1 \(pid \d+: .*\) timed out after 2s on block 3 \(records 129-192\)\n$/,
    );
    const rows = readFileSync(log, 'utf8').trimEnd().split('\n').slice(1);
    expect(rows.map((row) => [row.split('\t')[0], row.split('\t').at(-1)])).toEqual([
      ['1', 'ok'],
      ['2', 'ok'],
      ['3', 'failed: timed out after 2s'],
    ]);
    expect(await leftovers(tracked(pidsIn(pids)), 0)).toEqual([]);
  }, 30_000);

  it('a persistent worker that keeps finishing blocks is not killed, however long it runs in all', async () => {
    // Each block takes about 500ms after its last record, eight of them well over the 1.5s
    // allowed for one.
    const script = `awk '{ print; fflush(); if (NR % 64 == 0) system("sleep 0.5") }'`;
    const result = await fan(
      ['-j', '1', '--block', '1K', '--one-to-one', '--timeout', '1500ms', '--shell', '--', script],
      records(1, 512),
      { timeout: 20_000 },
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe(records(1, 512));
  }, 30_000);

  // A filter's flush that never ends was never timed: the run hung for ever.
  it.each([['--threads'], ['--protocol', 'manifold']])(
    '%s: a worker whose end (its flush) hangs once its input ended is ended in time',
    async (...way) => {
      const hangs = await fan(
        ['-j', '2', ...way, '--timeout', '1s', '--', fixture('flush-hangs.js')],
        records(1, 100),
        { timeout: 20_000 },
      );
      expect({ exit: hangs.exitCode, err: hangs.stderr }).toEqual({
        exit: 1,
        err: expect.stringMatching(
          /^manifold: worker \d \(.+\) timed out after 1s once its input ended\n/,
        ),
      });
      const counts = await fan(
        ['-j', '1', ...way, '--timeout', '2s', '--', fixture('flush-count.js')],
        records(1, 100),
      );
      expect({ ...ok(counts), out: counts.stdout.toString() }).toEqual({ ...OK, out: '100\n' });
    },
    30_000,
  );

  // The value as the line quotes it: as typed, or in the shell's quotes where it is not one word.
  it.each([
    ['0', '0'],
    ['soon', 'soon'],
    ['-1', '-1'],
    ['30 days', "'30 days'"],
    // parallel's share of the median time, said to be one manifold does not take.
    ['200%', "200%; parallel's N%, a share of the jobs' median time, is not one"],
  ])('--timeout %s is a usage error', async (value, shown) => {
    const result = await fan(['--timeout', value, '--', 'cat'], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      `manifold: --timeout must be a duration from 1ms to 24 days: seconds (30, 2.5) or with a unit (300ms, 30s, 5m, 1h) (got ${shown}) (see 'manifold fan --help')\n`,
    );
  });
});
