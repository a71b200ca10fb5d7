import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan, OK, ok } from '../support/fan-run.js';
import { linesOf, records } from '../support/lines.js';
import { tempDir } from '../support/temp.js';

// Which worker, which block: the environment `manifold fan` gives its workers, as GNU
// parallel's {%} and {#}. Inputs are 16-byte numbered lines: with --block 1K, block k holds
// records 64(k-1)+1 to 64k.

describe('the workers know where they are', () => {
  it('persistent workers: MANIFOLD_SLOT names the slot, and no block is named', async () => {
    const result = await fan(
      [
        '-j',
        '3',
        '--dispatch',
        'round-robin',
        '--block',
        '1K',
        '--shell',
        '--',
        `sed "s/^/$MANIFOLD_SLOT $MANIFOLD_WORKER \${MANIFOLD_BLOCK-none}:/"`,
      ],
      records(1, 640),
    );
    expect(ok(result)).toEqual(OK);
    const prefixes = new Set(linesOf(result.stdout).map((line) => line.split(':')[0]));
    expect([...prefixes].sort()).toEqual(['1 1 none', '2 2 none', '3 3 none']);
  }, 20_000);

  it('a per-block worker has MANIFOLD_BLOCK and MANIFOLD_FIRST_RECORD, to write its part file', async () => {
    const dir = tempDir('manifold-fan-env-');
    const result = await fan(
      [
        '-j',
        '2',
        '--per-block',
        '--block',
        '1K',
        '--shell',
        '--',
        `cat > ${dir}/part-$MANIFOLD_BLOCK-$MANIFOLD_FIRST_RECORD-$MANIFOLD_SLOT.txt`,
      ],
      records(1, 640),
    );
    expect(ok(result)).toEqual(OK);
    const parts = readdirSync(dir).sort(
      (a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]),
    );
    expect(parts.map((name) => name.split('-').slice(0, 3).join('-'))).toEqual(
      Array.from({ length: 10 }, (_, i) => `part-${i + 1}-${64 * i + 1}`),
    );
    for (const [i, name] of parts.entries()) {
      expect(['1.txt', '2.txt']).toContain(name.split('-')[3]);
      expect(readFileSync(join(dir, name), 'utf8')).toBe(records(64 * i + 1, 64 * (i + 1)));
    }
  }, 20_000);
});
