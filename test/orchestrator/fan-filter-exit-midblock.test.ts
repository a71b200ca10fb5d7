import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';

// An SDK filter that ends itself with process.exit() in the middle of a block, as a thread or a
// process under the block protocol, lost the block's finished records: `seq 10` with an exit
// on record 5 wrote nothing, where the same filter run as a plain process writes 1-4 (its exit
// hook, run.ts, as C's exit() flushes stdio). The protocol's exit hook sends them now, the
// block not ended, and the run says the worker failed, as before.

const input = Array.from({ length: 10 }, (_, i) => `${i + 1}\n`).join('');
const modes = ['--threads', '--protocol manifold'];

describe('process.exit() in the middle of a block', () => {
  it.each(modes)('%s: the records finished before it are written', async (mode) => {
    for (const status of [3, 0]) {
      const result = await run(
        manifold,
        [
          'fan',
          '-j',
          '1',
          ...mode.split(' '),
          '--halt',
          'never',
          '--',
          'mf-map',
          `n === 5 ? process.exit(${status}) : r`,
        ],
        input,
      );
      expect(result.stdout.toString(), `exit(${status})`).toBe('1\n2\n3\n4\n');
      expect(result.exitCode).toBe(1);
      const said =
        status === 0
          ? 'exited with status 0 before finishing block 1'
          : 'exited with status 3 on block 1';
      expect(result.stderr).toContain(said);
    }
  });

  it('as a plain process, the same records', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '1', '--halt', 'never', '--', 'mf-map', 'n === 5 ? process.exit(3) : r'],
      input,
    );
    expect({ stdout: result.stdout.toString(), exitCode: result.exitCode }).toEqual({
      stdout: '1\n2\n3\n4\n',
      exitCode: 1,
    });
  });
});
