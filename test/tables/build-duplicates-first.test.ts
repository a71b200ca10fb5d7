import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTable, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

// Under --duplicates error a build names the input's first duplicate. With shards and a small
// --memory, each shard finds a key stored by its earlier run only as it writes its next: the
// first shard to write one said its own (record 4, "b") though the other held an earlier one
// (record 3, "c"). The shards' held records are now all looked at before any is said.

describe('--duplicates error names the first duplicate of the input', () => {
  it('across shards, runs of one record each', async () => {
    const dir = tempDir();
    // "b" and "c" fall in different shards of two.
    const path = writeInput(dir, 'in.txt', 'b 1\nc 1\nc 2\nb 2\nzz 1\nzy 1\nzx 1\n');
    const args = ['--key', 'field:1', '--shards', '2', '--memory', '1', '--duplicates', 'error'];
    const result = await buildTable([path, ...args, '-o', join(dir, 't.mft')]);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 1,
      stderr: `manifold: ${path}:3: duplicate key "c", first at ${path}:2 (--duplicates first, last or all take it)\n`,
    });
  });
});
