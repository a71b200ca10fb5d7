import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../helpers.js';
import { buildTable, builtTable, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

// A JSON number past 2^53 is rounded as JSON.parse reads it (9007199254740993 as ...992): as a
// key it made distinct ids one, a false duplicate in a table build, a join with another's row,
// two groups counted as one. It is now the record's error, said where every json: key is read.

const said = (where: string, name: string, read: string) =>
  `${where}: the key ${name} is a number past 2^53 (read as ${read}), which JSON numbers do not hold exactly: distinct keys could read as one; write such keys as strings ("9007199254740993")\n`;

describe('a json: key that is an integer past 2^53', () => {
  it('table build stops at its record (it said a duplicate of the other id)', async () => {
    const dir = tempDir();
    const input = writeInput(
      dir,
      'users.ndjson',
      '{"id":"u1","name":"Cy"}\n{"id":9007199254740993,"name":"Ann"}\n{"id":9007199254740992,"name":"Bo"}\n',
    );
    const result = await buildTable([input, '--key', 'json:id', '-o', join(dir, 'u.mft')]);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 1,
      stderr: `manifold: ${said(`${input}:2`, 'json:id', '9007199254740992')}`,
    });
  });

  it('mf-join stops at the record (it joined it with the row of another id)', async () => {
    const table = await builtTable(tempDir(), 'ann', '{"id":"9007199254740993","n":"Ann"}\n', [
      '--key',
      'json:id',
    ]);
    const result = await run(
      bin('mf-join'),
      ['--table', table, '--key', 'json:user.id', '--as', 'u'],
      '{"user":{"id":"9007199254740993"}}\n{"user":{"id":9007199254740992}}\n',
    );
    expect({
      exitCode: result.exitCode,
      stderr: result.stderr,
      out: result.stdout.toString(),
    }).toEqual({
      exitCode: 1,
      stderr: `mf-join: ${said('stdin:2', 'json:user.id', '9007199254740992')}`,
      out: '{"user":{"id":"9007199254740993"},"u":{"id":"9007199254740993","n":"Ann"}}\n',
    });
  });

  it('mf-reduce stops at the record (it counted two ids as one group)', async () => {
    const result = await run(
      bin('mf-reduce'),
      ['--key', 'json:user', 'count'],
      '{"user":12345678901234567890}\n{"user":12345678901234567891}\n',
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 1,
      stderr: `mf-reduce: ${said('stdin:1', 'json:user', '12345678901234567000')}`,
    });
  });

  it("a fan's hash dispatch stops at the record; 2^53 - 1 and a string of digits are keys as before", async () => {
    const good = '{"u":9007199254740991}\n{"u":"9007199254740993"}\n';
    const ok = await run(
      manifold,
      ['fan', '--dispatch', 'hash', '--key', 'json:u', '--', 'cat'],
      good,
    );
    expect({ exitCode: ok.exitCode, stderr: ok.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(ok.stdout.toString().split('\n').sort().join('\n')).toBe(
      `\n${good.trim().split('\n').sort().join('\n')}`,
    );
    const bad = await run(
      manifold,
      ['fan', '--dispatch', 'hash', '--key', 'json:u', '--', 'cat'],
      `${good}{"u":-9007199254740993}\n`,
    );
    expect({ exitCode: bad.exitCode, stderr: bad.stderr }).toEqual({
      exitCode: 1,
      stderr: `manifold: ${said('stdin:3', 'json:u', '-9007199254740992')}`,
    });
  });
});

// Found by QA: 1E400 reads as Infinity, which JSON writes as null, so 1E400, -1E400 and null
// were one key everywhere, past 2^53 as they are; a lone surrogate key was a group of its own
// in mf-reduce, written as U+FFFD's bytes like every other's (one key on two lines); and
// mf-reduce refused a JSON *value* past 2^53 (`1e300`) with the key's words, where
// binaries.md reads it as a double.
describe('json: keys and values that JSON.parse cannot keep apart', () => {
  it('a key of 1E400 stops mf-reduce, a table build and hash dispatch at its record', async () => {
    const input = '{"k":null,"v":2}\n{"k":-1E400,"v":3}\n';
    const message = (where: string) =>
      `${where}: the key json:k is a number past a double's largest (read as -Infinity), which JSON numbers do not hold exactly: distinct keys could read as one; write such keys as strings ("9007199254740993")\n`;
    const reduced = await run(bin('mf-reduce'), ['--key', 'json:k', 'count'], input);
    expect([reduced.exitCode, reduced.stderr]).toEqual([1, `mf-reduce: ${message('stdin:2')}`]);
    const dir = tempDir();
    const file = writeInput(dir, 'inf.ndjson', input);
    const built = await buildTable([file, '--key', 'json:k', '-o', join(dir, 'inf.mft')]);
    expect([built.exitCode, built.stderr]).toEqual([1, `manifold: ${message(`${file}:2`)}`]);
    const args = ['fan', '--dispatch', 'hash', '--key', 'json:k', '--', 'cat'];
    const hashed = await run(manifold, args, input);
    expect([hashed.exitCode, hashed.stderr]).toEqual([1, `manifold: ${message('stdin:2')}`]);
  });

  it('keys with lone surrogates are one key in mf-reduce, as their bytes are one', async () => {
    const input = '{"k":"\\ud800"}\n{"k":"\\udfff"}\n{"k":"\\ud800"}\n';
    const result = await run(bin('mf-reduce'), ['--key', 'json:k', 'count'], input);
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([
      0,
      '',
      '\u{FFFD}\t3\n',
    ]);
  });

  it('mf-reduce sums JSON values past 2^53 as doubles; 1E400 is out of range', async () => {
    const big = await run(
      bin('mf-reduce'),
      ['--key', 'json:k', 'sum', 'json:v'],
      '{"k":"x","v":1e300}\n{"k":"x","v":1e300}\n{"k":"y","v":9007199254740993}\n',
    );
    expect([big.exitCode, big.stderr, big.stdout.toString()]).toEqual([
      0,
      '',
      'x\t2e+300\ny\t9007199254740992\n',
    ]);
    const huge = await run(
      bin('mf-reduce'),
      ['--key', 'json:k', 'sum', 'json:v'],
      '{"k":"x","v":1E400}\n',
    );
    expect([huge.exitCode, huge.stderr]).toEqual([
      1,
      `mf-reduce: stdin:1: json:v is out of range (past a double's largest, ${Number.MAX_VALUE}): read as Infinity\n`,
    ]);
  });
});
