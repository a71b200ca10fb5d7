import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../helpers.js';

// With --dispatch hash a worker is given parts of blocks: records picked by key, not
// consecutive in the input. A filter that fails on one names it by its number; under the
// protocol (threads, --protocol manifold) the SDK numbers them as the records it was given, as
// the same filter run as a plain process does, and manifold's own line names the input block
// and its records: the record's place in the part added to the first record of the whole input
// block would be a number that names another record (stdin:28 for the 30th).

/** 40 lines, `N a` for odd N and `N b` for even: worker 2 gets the `b`s. */
const INPUT = Array.from({ length: 40 }, (_, i) => `${i + 1} ${(i + 1) % 2 ? 'a' : 'b'}\n`).join(
  '',
);

describe('a filter failing on a record of a part picked by key', () => {
  it.each([
    ['a thread', ['--threads']],
    ['a process under the protocol', ['--protocol', 'manifold']],
    ['a plain process', []],
  ])(
    'as %s, names it as the records it was given do (stdin:15 for the 15th b)',
    async (_what, mode) => {
      const result = await run(
        manifold,
        [
          ...['fan', '-j', '2', ...mode, '--dispatch', 'hash', '--key', 'field:2', '--block', '64'],
          ...['--', process.execPath, bin('mf-map'), 'r.startsWith("30 ") ? null.x : r'],
        ],
        INPUT,
        { timeout: 30_000 },
      );
      expect(result.exitCode).toBe(1);
      const lines = result.stderr.split('\n');
      expect(lines[0]).toMatch(/^mf-map: stdin:15: TypeError: Cannot read properties of null/);
      // manifold's line names the input blocks the records came from (for a plain process, the
      // first it had been given: its output is not tied to blocks).
      const block = mode.length > 0 ? 'block 3 \\(records 27-38\\)' : 'block 1 \\(records 1-14\\)';
      expect(result.stderr).toMatch(
        new RegExp(`^manifold: worker 2 .* of ${block}, picked by key`, 'm'),
      );
    },
  );
});
