import { describe, expect, it } from 'vitest';
import { fan } from '../support/fan-run.js';
import { fileWith } from '../support/temp.js';

// More workers than blocks: the workers never started are ended, each reporting its end, which
// asks the dispatcher to pump again. Asked inside the pump that ended them, the pumps nested one
// per worker, and past about 1,040 workers the stack ran out: `cannot read stdin: RangeError:
// Maximum call stack size exceeded`, exit 1, every record lost.

describe('-j far above the number of blocks', () => {
  for (const from of ['a file', 'a pipe']) {
    it(`-j 4096 on five lines from ${from}: every record, exit 0`, async () => {
      const input = '1\n2\n3\n4\n5\n';
      const args = from === 'a file' ? ['--input', fileWith('manifold-many-', input)] : [];
      const result = await fan(
        ['-j', '4096', ...args, '--', 'cat'],
        from === 'a file' ? '' : input,
      );
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        exitCode: 0,
        stderr: '',
      });
      expect(result.stdout.toString()).toBe(input);
    });
  }
});
