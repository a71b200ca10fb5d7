import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { tempDir, writeConfig } from './folders.js';

// A config's fan takes the options `manifold fan` has, under the same names.

const shuffled = Array.from({ length: 20_000 }, (_, i) => `${(i * 7919) % 20_000}\n`).join('');

describe('merge-memory in a config', () => {
  const config = (extra: object) => ({
    stages: [
      {
        fan: {
          workers: 2,
          block: '8K',
          merge: 'sorted',
          attribution: 'per-block',
          worker: ['sort'],
          ...extra,
        },
      },
    ],
  });

  it('bounds what the sorted merge holds: past it, runs spill to $TMPDIR', async () => {
    const dir = tempDir();
    const env = { LC_ALL: 'C', TMPDIR: join(dir, 'no-such-folder') };
    // Held in memory (the default, 64M): no temporary file is needed, so a missing TMPDIR is fine.
    const held = await run(manifold, ['run', writeConfig(dir, config({}))], shuffled, { env });
    expect(held.stderr).toBe('');
    expect(held.stdout.toString()).toBe(`${shuffled.split('\n').slice(0, -1).sort().join('\n')}\n`);
    // With 8K, the merge spills, and the missing TMPDIR shows it.
    const small = writeConfig(dir, config({ 'merge-memory': '8K' }), 'small.yaml');
    const spilled = await run(manifold, ['run', small], shuffled, { env });
    expect(spilled.exitCode).toBe(1);
    expect(spilled.stderr).toMatch(
      /cannot spill the sorted merge to a temporary file in .*no-such-folder/,
    );
  });
});
