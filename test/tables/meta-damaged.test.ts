import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtTable, getKeys } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

// A table.json damaged by hand in what readers go by is said damaged, exit 2. Before: a version
// "1" was `format version 1, this manifold reads version 1`; lmdb.values list on a table of one
// value a key printed an empty line, exit 0 (mf-join: a RangeError); a numeric fieldSeparator a
// TypeError; a key field:0 `--key field:0: ...`, though no one gave --key.

describe('a table.json damaged in what readers go by', () => {
  it.each([
    ['version', (d: Meta) => Object.assign(d, { version: '1' }), '"version" is not a number'],
    [
      'lmdb.values',
      (d: Meta) => Object.assign(d, { lmdb: { ...d.lmdb, values: 'list' } }),
      '"lmdb.values" list does not go with "duplicates" error',
    ],
    [
      'fieldSeparator',
      (d: Meta) => Object.assign(d, { fieldSeparator: 5 }),
      '"fieldSeparator" is not text',
    ],
    [
      'key',
      (d: Meta) => Object.assign(d, { key: 'field:0' }),
      '"key" field:0: fields are numbered from 1',
    ],
  ])('%s: damaged, exit 2', async (_name, edit, why) => {
    const table = await builtTable(tempDir(), 't', 'u1\tx\n', [
      '--key',
      'field:1',
      '--field-sep',
      'tab',
    ]);
    const file = join(table, 'table.json');
    writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')) as Meta)));
    const got = await getKeys(table, ['u1']);
    expect({ exit: got.exitCode, err: got.stderr, out: got.stdout.toString() }).toEqual({
      exit: 2,
      err: `manifold: table ${table}: table.json is damaged (${why}): rebuild it\n`,
      out: '',
    });
  });
});

type Meta = { lmdb: Record<string, unknown> } & Record<string, unknown>;
