import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan, OK, ok } from '../support/fan-run.js';
import { oneLine, records } from '../support/lines.js';
import { tempDir } from '../support/temp.js';

// --halt as GNU parallel spells it: now|soon|never, with ,fail=N, ,fail=N% or ,success=N.
// Inputs are 16-byte numbered lines: with --block 1K, block k holds records 64(k-1)+1 to 64k.
// Each per-block worker leaves a mark naming its block, so a test sees which blocks started.

const block = (k: number) => records(64 * (k - 1) + 1, 64 * k);

/** The blocks whose workers started, from their marks in `dir`. */
const started = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.startsWith('started-'))
    .map((name) => Number(name.slice('started-'.length)))
    .sort((a, b) => a - b);

/** A per-block worker: marks its start, then runs `script` (with $B its block), then cat. */
const worker = (dir: string, script: string) =>
  `B=$MANIFOLD_BLOCK; touch ${dir}/started-$B; ${script} cat`;

describe('--merge ordered: a lost block, not the one streaming when it failed', () => {
  // Block 2 writes 3 records and fails while block 1, the one streaming, still runs: block 1
  // waits until block 2's process is gone. A lost block's whole records went out only when it
  // was the block streaming at its failure (held, they were dropped): a matter of timing. Now
  // they go out in its place either way, as a ready merge writes them; with retries, nothing.
  // Under --halt never the blocks after it follow; under soon, block 1 finishes, then block 2's
  // records, and nothing after it (held, they were dropped there too, before).
  const script = (dir: string) =>
    `if [ $B = 2 ]; then echo $$ > ${dir}/pid2; head -n 3; exit 3; fi; if [ $B = 1 ]; then until [ -s ${dir}/pid2 ]; do sleep 0.01; done; while kill -0 $(cat ${dir}/pid2) 2>/dev/null; do sleep 0.01; done; fi;`;

  it.each([
    ['never', 'without retries: its whole records in its place', [], records(65, 67)],
    ['never', 'with retries run out: nothing of it', ['--retries', '1'], ''],
    ['soon', 'without retries: its whole records, then nothing', [], records(65, 67)],
    ['soon', 'with retries run out: nothing of it', ['--retries', '1'], ''],
  ])(
    '--halt %s, %s',
    async (halt, _, more, written) => {
      const dir = tempDir('manifold-fan-halt-');
      const args = ['-j', '2', '--per-block', '--block', '1K', '--merge', 'ordered', ...more];
      const result = await fan(
        [...args, '--halt', halt, '--shell', '--', worker(dir, script(dir))],
        records(1, 640),
        { timeout: 20_000 },
      );
      expect(result.exitCode).toBe(1);
      const after = halt === 'never' ? records(129, 640) : '';
      expect(result.stdout.toString()).toBe(block(1) + written + after);
    },
    30_000,
  );
});

describe('--halt soon', () => {
  it('starts no more blocks after a failure and lets the running one finish: the ordered output is a clean prefix', async () => {
    const dir = tempDir('manifold-fan-halt-');
    // Block 1 ends only once manifold has heard of block 2's failure (its --joblog row, written
    // as the run halts), so it is still running when the run halts: under soon it finishes and
    // is written; nothing from block 2 on is, and no block starts in its slot. (Waiting for a
    // file block 2 made before exiting would race: block 1 could end before manifold heard of
    // the failure, and block 3 start in its slot, legitimately: seen under load.)
    const log = join(dir, 'jobs.tsv');
    const script = `if [ $B = 2 ]; then exit 3; fi; if [ $B = 1 ]; then until grep -qs failed ${log}; do sleep 0.01; done; fi;`;
    const args = ['-j', '2', '--per-block', '--block', '1K', '--merge', 'ordered', '--joblog', log];
    const result = await fan(
      [...args, '--halt', 'soon', '--shell', '--', worker(dir, script)],
      records(1, 640),
      { timeout: 20_000 },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe(block(1));
    expect(started(dir)).toEqual([1, 2]);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(
        /^manifold: worker \d \(pid \d+: .*\) exited with status 3 on block 2 \(records 65-128\)$/,
      ),
      'manifold: --halt soon: a block failed; starting no more blocks, letting the running ones finish',
    ]);
  }, 30_000);

  it('now (the default) stops the running block instead: nothing is written', async () => {
    const dir = tempDir('manifold-fan-halt-');
    // Block 1 waits for nothing and writes nothing: only the halt can end it, in time or not at
    // all. (Waiting for block 2's failure and then writing its block would race: a fan slow to
    // hear of the failure would have block 1's output written, seen under load.)
    const script = `if [ $B = 2 ]; then exit 3; fi; if [ $B = 1 ]; then exec sleep 1000; fi;`;
    const result = await fan(
      [
        '-j',
        '2',
        '--per-block',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--shell',
        '--',
        worker(dir, script),
      ],
      records(1, 640),
      { timeout: 20_000 },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe('');
    expect(result.stderr).toMatch(oneLine);
  }, 30_000);

  it('soon,success=1: the first block done halts the run, the running one finishes, status 0', async () => {
    const dir = tempDir('manifold-fan-halt-');
    // Block 2 finishes only once block 1 has: it is running when the run halts.
    const script = `if [ $B = 1 ]; then cat; touch ${dir}/one; exit 0; fi; while [ ! -e ${dir}/one ]; do sleep 0.01; done;`;
    const result = await fan(
      [
        '-j',
        '2',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--halt',
        'soon,success=1',
        '--shell',
        '--',
        worker(dir, script),
      ],
      records(1, 640),
      { timeout: 20_000 },
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe(block(1) + block(2));
    expect(started(dir)).toEqual([1, 2]);
  }, 30_000);
});

describe('--halt now and never with a condition', () => {
  it('now,fail=2: the first failure is let go, as under never; the second halts', async () => {
    const dir = tempDir('manifold-fan-halt-');
    const script = 'if [ $B = 2 ] || [ $B = 4 ]; then exit 3; fi;';
    const result = await fan(
      [
        '-j',
        '1',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--halt',
        'now,fail=2',
        '--shell',
        '--',
        worker(dir, script),
      ],
      records(1, 640),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe(block(1) + block(3));
    expect(started(dir)).toEqual([1, 2, 3, 4]);
    expect(result.stderr.match(/exited with status 3 on block (\d)/g)).toEqual([
      'exited with status 3 on block 2',
      'exited with status 3 on block 4',
    ]);
  }, 20_000);

  it('now,fail=50%: halts once half the blocks finished have failed (from 3 finished on)', async () => {
    const dir = tempDir('manifold-fan-halt-');
    const script = 'if [ $B = 2 ] || [ $B = 3 ]; then exit 3; fi;';
    const result = await fan(
      [
        '-j',
        '1',
        '--per-block',
        '--block',
        '1K',
        '--halt',
        'now,fail=50%',
        '--shell',
        '--',
        worker(dir, script),
      ],
      records(1, 640),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe(block(1));
    expect(started(dir)).toEqual([1, 2, 3]);
  }, 20_000);

  it('now,fail=50%: failures first, then a block done: halts when the third block finishes', async () => {
    // Blocks 1 and 2 fail (too few finished to judge), block 3 is done: 2 of 3 have failed.
    // The share was judged only when a block failed, and every block ran (17 of them).
    const dir = tempDir('manifold-fan-halt-');
    const script = 'if [ $B = 1 ] || [ $B = 2 ]; then exit 3; fi;';
    const args = ['-j', '1', '--per-block', '--block', '1K', '--halt', 'now,fail=50%'];
    const result = await fan([...args, '--shell', '--', worker(dir, script)], records(1, 640));
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe(block(3));
    expect(started(dir)).toEqual([1, 2, 3]);
  }, 20_000);

  it('now,success=2: two blocks done end the run with status 0 (attribution per block on its own)', async () => {
    const dir = tempDir('manifold-fan-halt-');
    const result = await fan(
      ['-j', '1', '--block', '1K', '--halt', 'now,success=2', '--shell', '--', worker(dir, '')],
      records(1, 640),
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe(block(1) + block(2));
    expect(started(dir)).toEqual([1, 2]);
    expect(existsSync(join(dir, 'started-3'))).toBe(false);
  }, 20_000);

  it.each([
    'later',
    'never,fail=1',
    'now,fail=0',
    'soon,success=5%',
    'now,fail=101%',
    'now,done=1',
  ])('--halt %s is a usage error naming the forms', async (value) => {
    const result = await fan(['--halt', value, '--', 'cat'], 'a\n');
    expect(result.exitCode).toBe(2);
    // parallel's done=N is said to be one that manifold does not take (it read as a typo).
    const why = value.includes('done=')
      ? "; parallel's done=N, which counts jobs ended either way, is not one"
      : '';
    expect(result.stderr).toBe(
      `manifold: --halt must be now, soon or never, the first two optionally with ,fail=N, ,fail=N% or ,success=N (got ${value}${why}) (see 'manifold fan --help')\n`,
    );
  });
});
