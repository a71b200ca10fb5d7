import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { tempDir } from '../support/temp.js';

// --retries with a filter that aggregates in its flush (mf-reduce, a count): a worker that died
// after finishing blocks had only its unfinished block tried again on a fresh worker, whose
// flush then counted the rest alone: `count 205` of 1,000 records, exit 0, nothing said (QA).
// Its finished blocks' share cannot be had again, so it is not tried again: the run fails.

/** 1,000 lines of 4 bytes (`0001`...), one `!` line among them at `at` (1-based). */
const input = (at: number) =>
  Array.from({ length: 1000 }, (_, i) =>
    i + 1 === at ? '!xxx\n' : `${String(i + 1).padStart(4, '0')}\n`,
  ).join('');

describe('--retries with a filter whose flush aggregates', () => {
  it.each([['--protocol', 'manifold'], ['--threads']])(
    '%s: one that fails after finishing blocks fails the run, saying why',
    async (...mode) => {
      const flaky = tempDir('manifold-retries-flush-');
      const args = ['-j', '1', '--block', '1K', '--retries', '2', ...mode];
      const result = await fan([...args, '--', fixture('flush-count-flaky.js')], input(900), {
        env: { FLAKY_DIR: flaky },
      });
      expect(result.exitCode).toBe(1);
      expect(result.stdout.toString()).toBe('');
      expect(result.stderr).toMatch(
        /^flush-count-flaky: stdin:900: Error: flaky\nmanifold: worker 1 \(.*flush-count-flaky\.js.*\) exited with status 1 on block 5 \(records 817-1000\); not tried again: its flush was to write what the 4 blocks it had done gave it, which a fresh worker cannot\n$/,
      );
    },
  );

  it.each([['--protocol', 'manifold'], ['--threads']])(
    '%s: one that fails on its first block is tried again: every record counted',
    async (...mode) => {
      const flaky = tempDir('manifold-retries-flush-');
      const args = ['-j', '1', '--block', '1K', '--retries', '2', ...mode];
      const result = await fan([...args, '--', fixture('flush-count-flaky.js')], input(5), {
        env: { FLAKY_DIR: flaky },
      });
      expect([result.exitCode, result.stdout.toString()]).toEqual([0, '1000\n']);
      expect(result.stderr).toBe('flush-count-flaky: stdin:5: Error: flaky\n');
    },
  );
});
