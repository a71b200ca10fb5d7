import { describe, expect, it } from 'vitest';
import { fan } from '../support/fan-run.js';

// The ordered merge pauses workers that run ahead while what it holds is past --merge-memory.
// A worker paused so stayed paused when its block became the next to go out, if the later
// blocks still held were past the bound: they waited for it, it for them. The run stalled: a
// hang, or (with nothing left to wake Node) exit 1 with no word, its output cut mid-block (QA:
// 7 runs in 8 at --merge-memory 1M). Per-block workers, the merge manifold's own (--joblog,
// --retries, --timeout: not the process starter's); each block's output over the bound.

/** Block k's output: `k` lines to 3,000,000 bytes, as `yes k | head -c 3000000` writes. */
const output = (k: number) => `${k}\n`.repeat(1_500_000);

describe('--merge ordered with --merge-memory below a block', () => {
  it.each([
    ['--joblog', ['-j', '4', '--joblog', '/dev/null'], 4],
    ['--retries 1 (the next block held whole)', ['-j', '2', '--retries', '1'], 2],
    ['--timeout', ['-j', '4', '--timeout', '30'], 4],
  ])(
    '%s: every block whole, in order, every time',
    async (_, args, blocks) => {
      const input = Array.from({ length: blocks }, (_, i) => `${i + 1}\n`).join('');
      const expected = Array.from({ length: blocks }, (_, i) => output(i + 1)).join('');
      for (let round = 0; round < 4; round++) {
        const result = await fan(
          [
            ...['-N', '1', '--merge', 'ordered', '--merge-memory', '1M', ...args],
            ...['--', 'sh', '-c', 'yes $(cat) | head -c 3000000'],
          ],
          input,
          { timeout: 30_000 },
        );
        expect({ round, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
          round,
          exitCode: 0,
          stderr: '',
        });
        expect(result.stdout.toString() === expected).toBe(true);
      }
    },
    120_000,
  );
});
