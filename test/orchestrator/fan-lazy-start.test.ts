import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { fan, OK, ok, statsOf } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { useTestHosts } from '../support/sshd.js';
import { fileWith, tempDir } from '../support/temp.js';

// A persistent worker starts when it is given its first block, as GNU parallel starts no job
// without data: `seq 1 | parallel --pipe --round-robin -j 4 wc -l` prints `1` alone, and so
// does `seq 1 | manifold fan -j 4 -- wc -l` (workers started before any block existed would
// add three `0`). Each worker notes its start
// in a file, before it reads anything: the lines counted are the workers started.

/** A shell worker that notes its start in `file`, then is `command`. */
const noting = (file: string, command: string) => [
  '--shell',
  '--',
  `echo $$ >> ${file}; exec ${command}`,
];

/** How many starts were noted in `file`. */
const starts = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;

const notes = () => join(tempDir(), 'starts');

describe('persistent workers start at their first block', () => {
  it.for([
    ['ready, from a pipe (the starter takes it)', []],
    ['round-robin', ['--dispatch', 'round-robin']],
    ['one-to-one', ['--one-to-one']],
    ['sorted merge (sort -m)', ['--merge', 'sorted']],
  ] as const)('%s: one block and -j 4 start one worker', async ([, mode]) => {
    const file = notes();
    const result = await fan(['-j', '4', ...mode, ...noting(file, 'wc -l')], '1\n');
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('1\n');
    expect(starts(file)).toBe(1);
  });

  it('from a file (its blocks ranges of it): one block starts one', async () => {
    const file = notes();
    const input = fileWith('manifold-lazy-', '1\n');
    const result = await fan(['-j', '4', '--input', input, ...noting(file, 'wc -l')]);
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('1\n');
    expect(starts(file)).toBe(1);
  });

  it.for([
    ['ready', []],
    ['round-robin', ['--dispatch', 'round-robin']],
    ['hash', ['--dispatch', 'hash']],
    ['broadcast', ['--dispatch', 'broadcast']],
    ['sorted merge', ['--merge', 'sorted']],
    ['ordered, one-to-one', ['--merge', 'ordered', '--one-to-one']],
  ] as const)(
    '%s: an empty input starts none, and the run exits 0 with no output',
    async ([, mode]) => {
      const file = notes();
      const result = await fan(['-j', '3', ...mode, ...noting(file, 'echo started; wc -l')], '');
      expect(ok(result)).toEqual(OK);
      expect(result.stdout.toString()).toBe('');
      expect(starts(file)).toBe(0);
    },
  );

  it('hash dispatch with two keys starts two of four', async () => {
    const file = notes();
    const result = await fan(
      ['-j', '4', '--dispatch', 'hash', '--key', 'field:1', ...noting(file, 'wc -l')],
      'a 1\nb 2\na 3\n',
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString().split('\n').filter(Boolean).sort()).toEqual(['1', '2']);
    expect(starts(file)).toBe(2);
  });

  it('broadcast starts every worker at the first block', async () => {
    const file = notes();
    const result = await fan(
      ['-j', '3', '--dispatch', 'broadcast', ...noting(file, 'wc -l')],
      'a\n',
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('1\n1\n1\n');
    expect(starts(file)).toBe(3);
  });

  it('a worker given nothing is not started, so its status fails nothing (grep)', async () => {
    const result = await fan(['-j', '4', '--', 'grep', 'a'], 'a\n');
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('a\n');
  });

  it('--stats: a worker never started has 0 blocks, no pid and no exit', async () => {
    const result = await fan(['-j', '3', '--stats', '-', '--', 'wc', '-l'], '1\n');
    expect(result.exitCode).toBe(0);
    const stats = statsOf(result);
    const idle = stats.workers.filter((worker) => worker.blocks === 0);
    expect(idle).toHaveLength(2);
    for (const worker of idle) expect([worker.pids, worker.exits]).toEqual([[], []]);
    const fed = stats.workers.find((worker) => worker.blocks === 1)!;
    expect(fed.exits).toEqual([{ pid: fed.pids[0], exitCode: 0, signal: null }]);
  });
});

describe('every kind of worker starts at its first block', () => {
  const env = (file: string) => ({ env: { MANIFOLD_TEST_STARTS: file } });

  it.for([
    ['threads', ['--threads']],
    ['--protocol manifold', ['--protocol', 'manifold']],
    ['threads, --protocol manifold', ['--threads', '--protocol', 'manifold']],
  ] as const)('%s: one block and -j 4 run the filter once; none for no input', async ([, mode]) => {
    const file = notes();
    const args = ['-j', '4', ...mode, '--', fixture('noted-identity.js')];
    const one = await fan(args, 'a\n', env(file));
    expect(ok(one)).toEqual(OK);
    expect(one.stdout.toString()).toBe('a\n');
    expect(starts(file)).toBe(1);
    const none = await fan(args, '', env(file));
    expect(ok(none)).toEqual(OK);
    expect(none.stdout.toString()).toBe('');
    expect(starts(file)).toBe(1);
  });

  describe('on a host, through a real sshd', () => {
    const test = useTestHosts(1);

    it('one block on a host of 4 slots opens one session; no input opens none', async () => {
      const file = notes();
      const args = [...test.args(4), ...noting(file, 'wc -l')];
      const one = await fan(args, numbered(1, 3));
      expect(ok(one)).toEqual(OK);
      expect(one.stdout.toString()).toBe('3\n');
      expect(starts(file)).toBe(1);
      const none = await fan(args, '');
      expect(ok(none)).toEqual(OK);
      expect(none.stdout.toString()).toBe('');
      expect(starts(file)).toBe(1);
    });
  });
});
