import { describe, expect, it } from 'vitest';
import { bin, run } from '../../helpers.js';

// The record returned as itself is the record (filters.md, "What a transform returns"): a JSON
// `null` record so returned is kept, as mf-filter keeps it, where `null` otherwise drops (QA
// read the docs' `null` drops as covering it); `undefined` drops it. Alone, a record keeps its
// bytes; in an array it is written anew.

const json = '{"a":1}\nnull\n{"a":2}\n';

describe('a record returned as itself', () => {
  it('a JSON null record: kept by r (and by mf-filter), dropped by undefined', async () => {
    const kept = await run(bin('mf-map'), ['--json', 'r'], json);
    expect(kept.stdout.toString()).toBe(json);
    const filtered = await run(bin('mf-filter'), ['--json', 'true'], json);
    expect(filtered.stdout.toString()).toBe(json);
    const dropped = await run(bin('mf-map'), ['--json', 'r === null ? undefined : r'], json);
    expect([dropped.stderr, dropped.stdout.toString()]).toEqual(['', '{"a":1}\n{"a":2}\n']);
  });

  it('keeps its bytes alone, and is written anew in an array', async () => {
    const latin1 = Buffer.from('a\xe9\n', 'latin1');
    expect((await run(bin('mf-map'), ['r'], latin1)).stdout).toEqual(latin1);
    expect((await run(bin('mf-map'), ['[r]'], latin1)).stdout.toString('latin1')).toBe(
      'a\xef\xbf\xbd\n',
    );
  });
});
