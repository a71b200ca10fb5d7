import { afterAll, describe, expect, it } from 'vitest';
import { killLeftovers, leftovers, type Proc, procsOf } from '../support/proc.js';
import { spawnManifold, watch } from '../support/spawn.js';
import { fileWith } from '../support/temp.js';

// The harness's own promise (test/support/spawn.ts): a manifold that a test leaves running (it
// hung, or gave up on it) is killed after the test with all it started. Killed alone, its
// process starter (a group of its own) waited for its commands, and a command waiting for ever
// (a FIFO nobody opens) kept both for the rest of the suite: a failed queue test left them 45
// minutes. The first test leaves a worker running; the second, after the first's cleanups, looks.

let left: Proc[] = [];
afterAll(() => killLeftovers(left));

describe('spawnManifold', () => {
  it('a manifold left running by a test: its worker runs (the test ends here)', async () => {
    const input = fileWith('manifold-spawn-harness-', 'a\n');
    const child = spawnManifold([
      'fan',
      '-j',
      '1',
      '--input',
      input,
      '--shell',
      '--',
      'echo $$; exec sleep 1000',
    ]);
    const [line] = await watch(child.stdout!).waitFor(/^\d+$/, 1);
    left = procsOf([Number(line), child.pid!]);
    expect(left.map(({ pid }) => pid)).toEqual([Number(line), child.pid]);
  });

  it('after that test, nothing of it is left: not manifold, nor the worker below its starter', async () => {
    expect(left).toHaveLength(2);
    expect(await leftovers(left, 5000)).toEqual([]);
  });
});
