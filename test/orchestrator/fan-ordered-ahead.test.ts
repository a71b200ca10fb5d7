import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { fileTempDir, writeConfig } from '../support/temp.js';

// Workers that stay under --merge ordered: the workers ahead of the merge hold their blocks'
// output until its turn, and are paused past --merge-memory. With blocks too large for that
// (`--block 100M`, 64M of merge memory) they take turns instead of running side by side, which
// --verbose now says, with the size that would let them.

const AHEAD = (who: string, holds: string, block: string, memory: string, waits: string) =>
  `manifold: --merge ordered: ${who} ahead of the merge may hold ${holds} of output (blocks of ${block}), more than --merge-memory ${memory}: past it, ${waits} for the merge; a --merge-memory of ${holds} lets every worker run at once\n`;

describe.concurrent('--verbose on blocks larger than the ordered merge can hold', () => {
  it('-j 2 --one-to-one --block 100M: the worker ahead waits past 64 MiB', async () => {
    const args = ['-j', '2', '--merge', 'ordered', '--one-to-one', '--block', '100M'];
    const result = await fan(['--verbose', ...args, '--', 'cat'], 'a\n');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      AHEAD('the worker', '100 MiB', '100 MiB', '64 MiB', 'it waits'),
    );
  });

  it('-j 3 --protocol --block 40M: the 2 workers ahead hold 80 MiB', async () => {
    const args = ['-j', '3', '--merge', 'ordered', '--protocol', 'manifold', '--block', '40M'];
    const result = await fan(['--verbose', ...args, '--', 'mf-map', 'r'], 'a\n');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      AHEAD('the 2 workers', '80 MiB', '40 MiB', '64 MiB', 'they wait'),
    );
  });

  it('nothing where they fit: the default block, a --merge-memory raised, a ready merge, per-block workers', async () => {
    for (const args of [
      ['-j', '8', '--merge', 'ordered', '--one-to-one'],
      [
        '-j',
        '2',
        '--merge',
        'ordered',
        '--one-to-one',
        '--block',
        '100M',
        '--merge-memory',
        '100M',
      ],
      ['-j', '2', '--one-to-one', '--block', '100M'],
      ['-j', '2', '--merge', 'ordered', '--per-block', '--block', '100M'],
    ]) {
      const result = await fan(['--verbose', ...args, '--', 'cat'], 'a\n');
      expect(result.exitCode).toBe(0);
      expect(result.stderr, args.join(' ')).not.toMatch(/ahead of the merge/);
    }
  });

  it('in a config, by its keys', async () => {
    const config = writeConfig(
      fileTempDir('manifold-ordered-ahead-'),
      'stages:\n  - fan:\n      workers: 3\n      merge: ordered\n      attribution: one-to-one\n      block: 40M\n      worker: cat\n',
    );
    const result = await run(manifold, ['run', '--verbose', config], 'a\n');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      'manifold: stage stages[0]: merge: ordered: the 2 workers ahead of the merge may hold 80 MiB of output (blocks of 40 MiB), more than merge-memory 64 MiB: past it, they wait for the merge; a merge-memory of 80 MiB lets every worker run at once\n',
    );
  });
});
