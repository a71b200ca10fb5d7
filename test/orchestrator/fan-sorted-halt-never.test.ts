import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { C, fan } from '../support/fan-run.js';
import { tempDir } from '../support/temp.js';

// --merge sorted --halt never, workers that stay: one fails and another instance starts in its
// place, a run of its own. Its output was taken for the failed one's run, so its first record
// was "not sorted": the run stopped, all but a line lost (QA). And what the failed run had
// streamed out could sort after the new run's records: nothing goes out before the end now.

describe('--merge sorted --halt never with workers that stay', () => {
  it.each([['1'], ['2']])(
    '-j %s: a worker that fails and starts again: sorted output, exit 1',
    async (workers) => {
      const dir = tempDir('manifold-sorted-halt-');
      // The first instance reads a line, writes zzz and fails; every later one sorts its input.
      const script = join(dir, 'once.sh');
      writeFileSync(
        script,
        `if [ ! -e ${dir}/failed ]; then touch ${dir}/failed; head -n 1 >/dev/null; echo zzz; exit 3; fi\nsort\n`,
      );
      const input = Array.from({ length: 400_000 }, (_, i) => `${i + 1}\n`).join('');
      const result = await fan(
        [
          '-j',
          workers,
          '--block',
          '4K',
          '--halt',
          'never',
          '--merge',
          'sorted',
          '--',
          'sh',
          script,
        ],
        input,
        C,
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/exited with status 3/);
      expect(result.stderr).not.toMatch(/not sorted/);
      const lines = result.stdout.toString().split('\n').slice(0, -1);
      // The restarted instance's records came out, and all in order, zzz (the failed run) last.
      expect(lines.length).toBeGreaterThan(1000);
      expect(lines.at(-1)).toBe('zzz');
      const sorted = [...lines].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(lines.join('\n') === sorted.join('\n')).toBe(true);
    },
    60_000,
  );

  // A per-block worker's lost block's records were dropped by the sorted merge alone: the ready
  // and ordered merges write them under --halt never without --retries (QA).
  it("--per-block: a lost block's whole records are merged, as the other merges write them", async () => {
    const input = Array.from({ length: 20 }, (_, i) => `${i + 1}\n`).join('');
    const worker = 'sort; [ $MANIFOLD_BLOCK = 2 ] && exit 4; true';
    const args = ['-j', '2', '-N', '5', '--per-block', '--halt', 'never', '--merge', 'sorted'];
    const result = await fan([...args, '--shell', '--', worker], input, C);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/exited with status 4 on block 2 \(records 6-10\)/);
    const sorted = input.split('\n').slice(0, -1).sort();
    expect(result.stdout.toString()).toBe(`${sorted.join('\n')}\n`);
  });
});
