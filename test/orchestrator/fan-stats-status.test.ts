import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { records } from '../support/lines.js';
import { spawnManifold, watch } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// --stats' "status" is "the exit status the command line would give". A fan stopped by SIGINT
// exited 130 (SIGTERM 143, SIGHUP 129) and a fan whose output was closed died of SIGPIPE (141),
// while the summary said 1 for all of them, as though a worker had failed.

const statusIn = (file: string) =>
  (JSON.parse(readFileSync(file, 'utf8')) as { status: number }).status;

describe('--stats status after a signal or a closed output', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('on %s it says %i, as manifold exits', async (signal, status) => {
    const stats = join(tempDir('manifold-stats-status-'), 'stats.json');
    const child = spawnManifold([
      'fan',
      // Blocks of 10 records: both workers are given some, and start.
      ...['-j', '2', '-N', '10', '--stats', stats, '--shell', '--', `cat | ${fixture('sig-hang')}`],
    ]);
    const stderr = watch(child.stderr!);
    child.stdin!.write(records(1, 100)); // and stdin stays open: input is still coming
    await stderr.waitFor(/^sig-hang: ready \d+$/, 2);
    child.kill(signal);
    const [code] = await once(child, 'exit');
    expect(code).toBe(status);
    expect(statusIn(stats)).toBe(status);
  });

  it('when the output is closed (| head -1) it says 141, as a shell reports manifold', async () => {
    const stats = join(tempDir('manifold-stats-status-'), 'stats.json');
    const child = spawnManifold(['fan', '-j', '2', '--stats', stats, '--', 'cat']);
    child.stdin!.on('error', () => {});
    child.stdin!.end(records(1, 500_000));
    await once(child.stdout!, 'data');
    child.stdout!.destroy();
    const [code, killedBy] = await once(child, 'exit');
    expect({ code, killedBy }).toEqual({ code: null, killedBy: 'SIGPIPE' });
    expect(statusIn(stats)).toBe(141);
  });
});

describe('--stats of a run that never started', () => {
  it.each([
    [['--', 'no-such-command-here'], 127],
    [['--bogus', '--', 'cat'], 2],
  ])(
    '%j: exit %i, no summary written, as --joblog starts no log (fan.md)',
    async (args, status) => {
      const dir = tempDir('manifold-stats-status-');
      const [stats, joblog] = [join(dir, 'stats.json'), join(dir, 'jobs.tsv')];
      const result = await run(
        manifold,
        ['fan', '--stats', stats, '--joblog', joblog, ...args],
        'a\n',
      );
      expect(result.exitCode).toBe(status);
      expect(existsSync(stats)).toBe(false);
      expect(existsSync(joblog)).toBe(false);
    },
  );
});

describe('--stats totals under --dispatch broadcast', () => {
  it("count each worker's copy of a block, as each is given (fan.md)", async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--dispatch', 'broadcast', '--stats', '-', '--', 'cat'],
      'a\nb\n',
    );
    expect(result.exitCode).toBe(0);
    const totals = (JSON.parse(result.stderr) as { totals: Record<string, number> }).totals;
    expect([totals.blocks, totals.recordsIn, totals.bytesIn, totals.recordsOut]).toEqual([
      2, 4, 8, 4,
    ]);
  });
});
