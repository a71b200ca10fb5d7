import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../helpers.js';
import { buildTable, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

// A UTF-8 byte-order mark at the start of an ndjson file (PowerShell's Out-File writes one) was
// `stdin:1: invalid JSON: Unexpected token '﻿'` wherever a record is parsed; jq reads it as
// nothing. Now so: in the SDK's JSON records, json: keys, mf-reduce, a table's JSON values.

const BOM = '\u{FEFF}';
const input = `${BOM}{"a":1,"n":"x"}\n{"a":2,"n":"y"}\n{"a":1,"n":"z"}\n`;

describe('an ndjson input that begins with a byte-order mark', () => {
  it('mf-map --json reads its first record', async () => {
    const result = await run(bin('mf-map'), ['--json', 'r.n'], input);
    expect([result.stderr, result.stdout.toString()]).toEqual(['', '"x"\n"y"\n"z"\n']);
  });

  it('mf-reduce keys by json: its first record', async () => {
    const result = await run(bin('mf-reduce'), ['--key', 'json:a', 'count'], input);
    expect([result.stderr, result.stdout.toString()]).toEqual(['', '1\t2\n2\t1\n']);
  });

  it('a thread worker, one block a record: each its own, the mark at the first', async () => {
    const args = ['fan', '-j', '2', '-N', '1', '--threads', '--merge', 'ordered'];
    const result = await run(manifold, [...args, '--', 'mf-map', '--json', 'r.n'], input);
    expect([result.stderr, result.stdout.toString()]).toEqual(['', '"x"\n"y"\n"z"\n']);
  });

  it('hash dispatch by a json: key: the record given on byte for byte', async () => {
    const args = ['fan', '-j', '2', '--dispatch', 'hash', '--key', 'json:a', '--tag'];
    const result = await run(manifold, [...args, '--', 'cat'], input);
    expect([result.stderr, result.exitCode]).toEqual(['', 0]);
    const lines = result.stdout.toString().split('\n').slice(0, -1).sort();
    const [first, , third] = input.split('\n');
    // Records 1 and 3, of one key, went to one worker; the first with its mark.
    expect(lines.filter((line) => line.endsWith(first!) || line.endsWith(third!))).toHaveLength(2);
    expect(new Set(lines.filter((line) => line.includes('"a":1')).map((l) => l[0])).size).toBe(1);
    expect(lines.some((line) => line.endsWith(first!))).toBe(true);
  });

  it('a table keyed by json: joins a record to its value, the mark not in it', async () => {
    const dir = tempDir();
    const table = join(dir, 't.mft');
    const built = await buildTable([
      writeInput(dir, 'v.ndjson', input),
      '--key',
      'json:n',
      '-o',
      table,
    ]);
    expect(built.exitCode).toBe(0);
    const joined = await run(
      bin('mf-join'),
      ['--table', `t=${table}`, '--key', 'json:k'],
      '{"k":"x"}\n',
    );
    expect([joined.stderr, joined.stdout.toString()]).toEqual(['', '{"k":"x","a":1,"n":"x"}\n']);
  });

  it('a record returned as itself is written as it came, its mark too (it was a SyntaxError)', async () => {
    for (const [name, args] of [
      ['mf-filter', ['--json', 'true']],
      ['mf-map', ['--json', 'r']],
    ] as const) {
      const result = await run(bin(name), [...args], input);
      expect([result.stderr, result.stdout.toString()]).toEqual(['', input]);
    }
  });

  it('a record that is not JSON for another reason is still refused', async () => {
    const result = await run(bin('mf-map'), ['--json', 'r'], `${BOM}${BOM}{}\n`);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^mf-map: stdin:1: invalid JSON: /);
  });
});
