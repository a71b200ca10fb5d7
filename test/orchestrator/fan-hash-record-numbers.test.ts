import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// With --dispatch hash a worker is given parts of blocks: records picked by key, not
// consecutive in the input. A filter that fails on one names it by its number; under the
// protocol (threads, --protocol manifold) the SDK numbers them as the records it was given, as
// the same filter run as a plain process does, and manifold's own line names the part and the
// input's records it was picked from: the record's place in the part added to the first record
// of the whole input block would be a number that names another record (stdin:28 for the 30th).

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
      // manifold's line names the worker's part by its own number (MANIFOLD_BLOCK, --joblog's
      // Seq) and the input's records it was picked from (for a plain process, the first part
      // it had been given: its output is not tied to blocks).
      const block =
        mode.length > 0
          ? 'on block 6 \\(6 records picked by key from records 27-38\\)$'
          : 'from block 2 \\(7 records picked by key from records 1-14\\) to block 8 ';
      expect(result.stderr).toMatch(new RegExp(`^manifold: worker 2 .* ${block}`, 'm'));
    },
  );
});

describe('a part picked by key that fails', () => {
  it("is named by its own number, as MANIFOLD_BLOCK and --joblog's Seq name it", async () => {
    // The message named the input block the part was picked from (`1 record of block 2
    // (records 6-9), picked by key`), where the job log's failed row was Seq 3.
    const dir = tempDir();
    const log = join(dir, 'jobs.tsv');
    const input = Array.from({ length: 20 }, (_, i) => `${(i + 1) % 3} ${i + 1}\n`).join('');
    const result = await run(
      manifold,
      [
        ...['fan', '-j', '2', '--block', '20', '--per-block', '--dispatch', 'hash'],
        ...['--key', 'field:1', '--joblog', log, '--shell', '--'],
        '[ "$MANIFOLD_BLOCK" = 3 ] && exit 5; cat >/dev/null',
      ],
      input,
      { timeout: 30_000 },
    );
    expect(result.exitCode).toBe(1);
    const failed = readFileSync(log, 'utf8')
      .split('\n')
      .filter((row) => row.endsWith('failed: exited with status 5'))
      .map((row) => row.split('\t')[0]);
    expect(failed).toEqual(['3']);
    expect(result.stderr).toMatch(
      /exited with status 5 on block 3 \(\d+ records? picked by key from records \d+-\d+\)\n$/,
    );
  });
});
