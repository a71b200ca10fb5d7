import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, type Result, run } from '../helpers.js';
import { builtTable, TSV_BY_FIELD_1, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

const mfJoin = bin('mf-join');

/** A table named users of `content`, built with `args` in a new folder; its path. */
function usersTable(content: string, ...args: string[]): Promise<string> {
  return builtTable(tempDir(), 'users', content, args);
}

/** mf-join with `--table table` and `args`, on `input`. */
function joinWith(table: string, args: string[], input: string): Promise<Result> {
  return run(mfJoin, ['--table', table, ...args], input);
}

/** Users (id TAB name) and events (id TAB user) where about half the events' users exist. */
function joinData(duplicates: boolean): { users: string; events: string } {
  const users: string[] = [];
  for (let i = 0; i < 300; i++) users.push(`u${(i * 7) % 600}\tname${i}`);
  if (duplicates) for (let i = 0; i < 40; i++) users.push(`u${i * 7}\tagain${i}`);
  const events: string[] = [];
  for (let i = 0; i < 1000; i++) events.push(`e${i}\tu${(i * 13) % 600}`);
  return { users: `${users.join('\n')}\n`, events: `${events.join('\n')}\n` };
}

/** Runs a shell line in `dir` with LC_ALL=C; returns stdout, expecting success. */
async function shell(dir: string, line: string): Promise<string> {
  const result = await run('/bin/sh', ['-c', line], '', { cwd: dir, env: { LC_ALL: 'C' } });
  if (result.exitCode !== 0) throw new Error(`${line}: ${result.stderr}`);
  return result.stdout.toString();
}

const sorted = (text: string) => text.split('\n').filter(Boolean).sort().join('\n');

describe('mf-join against coreutils join and awk on the same data', () => {
  for (const duplicates of [false, true]) {
    const policy = duplicates ? ['--duplicates', 'all'] : [];
    it(`joins inner, left and anti${duplicates ? ' with every value of repeated keys (--duplicates all)' : ''}`, async () => {
      const dir = tempDir();
      const { users, events } = joinData(duplicates);
      writeInput(dir, 'users.tsv', users);
      const eventsPath = writeInput(dir, 'events.tsv', events);
      const table = await builtTable(dir, 'users', users, [...TSV_BY_FIELD_1, ...policy]);
      const joined = async (mode: string) => {
        const result = await run(
          mfJoin,
          ['--table', `users=${table}`, '--key', 'field:2', '--mode', mode],
          events,
        );
        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
        return result.stdout.toString();
      };
      await shell(
        dir,
        "sort -t '\t' -k2,2 events.tsv > e.sorted && sort -t '\t' -k1,1 users.tsv > u.sorted",
      );
      const inner = await shell(dir, "join -t '\t' -1 2 -2 1 -o 1.1,1.2,2.1,2.2 e.sorted u.sorted");
      const anti = await shell(dir, "join -t '\t' -1 2 -2 1 -v 1 -o 1.1,1.2 e.sorted u.sorted");
      const left = await shell(
        dir,
        `awk -F '\t' 'NR == FNR { u[$1] = u[$1] (u[$1] == "" ? "" : "\\n") $0; next }
          $2 in u { n = split(u[$2], v, "\\n"); for (i = 1; i <= n; i++) print $0 "\\t" v[i]; next }
          { print }' users.tsv ${eventsPath}`,
      );
      expect(inner.split('\n').length).toBeGreaterThan(300);
      expect(anti.split('\n').length).toBeGreaterThan(300);
      expect(sorted(await joined('inner'))).toBe(sorted(inner));
      expect(sorted(await joined('anti'))).toBe(sorted(anti));
      // awk keeps the input order, and the values of a key in input order: so does mf-join.
      expect(await joined('left')).toBe(left);
    });
  }

  it('defaults the key and the field separator to the table’s, and takes an output --sep', async () => {
    const table = await usersTable('u1\tAnn\nu2\tBo\n', ...TSV_BY_FIELD_1);
    const result = await joinWith(table, ['--sep', ' | '], 'u2\tx y\nu3\tz\n');
    expect(result.stdout.toString()).toBe('u2\tx y | u2\tBo\n');
  });

  it('splits the record on its own --field-sep when it differs from the table’s', async () => {
    const table = await usersTable('u1\tAnn\n', ...TSV_BY_FIELD_1);
    const result = await joinWith(
      table,
      ['--key', 'field:2', '--field-sep', ','],
      'e1,u1\ne2,u2\n',
    );
    expect(result.stdout.toString()).toBe('e1,u1\tu1\tAnn\n');
  });

  it('a record without its key field has an empty key, as in join: no match, kept by left and anti', async () => {
    const table = await usersTable('u1\tAnn\n', ...TSV_BY_FIELD_1);
    const input = 'e1\tu1\ne2\n';
    const out = async (mode: string) => {
      const result = await joinWith(table, ['--key', 'field:2', '--mode', mode], input);
      expect(result.exitCode).toBe(0);
      return result.stdout.toString();
    };
    expect(await out('inner')).toBe('e1\tu1\tu1\tAnn\n');
    expect(await out('left')).toBe('e1\tu1\tu1\tAnn\ne2\n');
    expect(await out('anti')).toBe('e2\n');
  });

  it('joins any framing: nul records', async () => {
    const table = await usersTable('u1 Ann\n', '--key', 'field:1', '--value', 'field:2');
    const result = await joinWith(
      table,
      ['--split', 'nul', '--key', 'field:2', '--mode', 'left'],
      'e1 u1\0e2 u2\0',
    );
    expect(result.stdout.toString()).toBe('e1 u1\tAnn\0e2 u2\0');
  });
});

describe('mf-join on ndjson', () => {
  const users = '{"id":"u1","name":"Ann","age":30}\n{"id":"u2","name":"Bo"}\n';
  const events = '{"ev":1,"user":"u1"}\n{"ev":2,"user":"u9"}\n{"ev":3,"user":"u2"}\n';

  it('puts the value in the --as field, null for a left record with no match', async () => {
    const table = await usersTable(users, '--key', 'json:id', '--value', 'json:name');
    const result = await joinWith(
      table,
      ['--split', 'ndjson', '--key', 'json:user', '--as', 'name', '--mode', 'left'],
      events,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe(
      '{"ev":1,"user":"u1","name":"Ann"}\n{"ev":2,"user":"u9","name":null}\n{"ev":3,"user":"u2","name":"Bo"}\n',
    );
  });

  it('merges an object value into the record without --as', async () => {
    const table = await usersTable(users, '--key', 'json:id');
    const result = await joinWith(table, ['--split', 'ndjson', '--key', 'json:user'], events);
    expect(result.stdout.toString()).toBe(
      '{"ev":1,"user":"u1","id":"u1","name":"Ann","age":30}\n{"ev":3,"user":"u2","id":"u2","name":"Bo"}\n',
    );
  });

  it("refuses to merge a field the record has with another value, naming the record (the record's was lost)", async () => {
    const table = await usersTable(users, '--key', 'json:id');
    const clash = '{"id":"u1","ev":1}\n{"id":"u2","ev":2,"name":"Bo"}\n{"id":"u1","name":"Al"}\n';
    const result = await joinWith(table, ['--split', 'ndjson', '--key', 'json:id'], clash);
    // The table's own key field and a name of the same value merge; another value stops.
    expect(result.stdout.toString()).toBe(
      '{"id":"u1","ev":1,"name":"Ann","age":30}\n{"id":"u2","ev":2,"name":"Bo"}\n',
    );
    expect(result.stderr).toBe(
      'mf-join: stdin:3: the value of key "u1" has field "name", which the record has with another value: name a field with --as\n',
    );
    expect(result.exitCode).toBe(1);
  });

  it("keeps the record's own field named as the table's key field (json:id): the table's holds the key matched, already in the record (an event's id was overwritten by the user's)", async () => {
    const table = await usersTable(users, '--key', 'json:id');
    const result = await joinWith(
      table,
      ['--split', 'ndjson', '--key', 'json:user'],
      '{"id":"e1","user":"u1"}\n{"id":"e2","user":"u2","name":"Bo"}\n',
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(result.stdout.toString()).toBe(
      '{"id":"e1","user":"u1","name":"Ann","age":30}\n{"id":"e2","user":"u2","name":"Bo"}\n',
    );
  });

  it('refuses to merge a value that is not an object, naming the record and --as', async () => {
    const table = await usersTable(users, '--key', 'json:id', '--value', 'json:name');
    const result = await joinWith(table, ['--split', 'ndjson', '--key', 'json:user'], events);
    expect(result.stderr).toBe(
      'mf-join: stdin:1: the value of key "u1" is not an object to merge: name a field with --as\n',
    );
    expect(result.exitCode).toBe(1);
  });

  it('reads ndjson under a json: --key unless --split says otherwise, as table build does (was lines: a blank line failed)', async () => {
    const table = await usersTable(users, '--key', 'json:id');
    const input = '{"ev":1,"user":"u1"}\n\n{"ev":3,"user":"u2"}\n';
    const result = await joinWith(table, ['--key', 'json:user'], input);
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe(
      '{"ev":1,"user":"u1","id":"u1","name":"Ann","age":30}\n{"ev":3,"user":"u2","id":"u2","name":"Bo"}\n',
    );
    const lines = await joinWith(
      table,
      ['--split', 'lines', '--key', 'json:user', '--mode', 'anti'],
      '{"ev":2,"user":"u9"}\n',
    );
    expect(lines.stdout.toString()).toBe('{"ev":2,"user":"u9"}\n');
    expect(lines.exitCode).toBe(0);
  });

  it("reads ndjson without --key when the table's own key is json: (read lines: a blank line failed, a match was 'record TAB value')", async () => {
    const table = await usersTable(users, '--key', 'json:id');
    const input = '{"ev":1,"id":"u1"}\n\n{"ev":3,"id":"u2"}\n';
    const result = await joinWith(table, [], input);
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe(
      '{"ev":1,"id":"u1","name":"Ann","age":30}\n{"ev":3,"id":"u2","name":"Bo"}\n',
    );
    const named = await joinWith(table, ['--as', 'who', '--mode', 'left'], input);
    expect(named.stdout.toString()).toBe(
      '{"ev":1,"id":"u1","who":{"id":"u1","name":"Ann","age":30}}\n{"ev":3,"id":"u2","who":{"id":"u2","name":"Bo"}}\n',
    );
    // --split still decides.
    const lines = await joinWith(table, ['--split', 'lines'], '{"id":"u2"}\n');
    expect(lines.stdout.toString()).toBe('{"id":"u2"}\t{"id":"u2","name":"Bo"}\n');
  });

  it('a json: key on a record that is not JSON: the record and invalid JSON in one line, exit 1', async () => {
    const table = await usersTable(users, '--key', 'json:id');
    for (const split of [[], ['--split', 'ndjson']]) {
      const result = await joinWith(
        table,
        ['--key', 'json:user', ...split],
        '{"user":"u1"}\nu2 not json\n',
      );
      expect(result.stderr).toMatch(/^mf-join: stdin:2: invalid JSON: [^\n]+\n$/);
      expect(result.exitCode).toBe(1);
    }
  });
});

describe('mf-join usage', () => {
  it('needs exactly one table, and --as only for ndjson', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 'users', 'u1 Ann\n', ['--key', 'field:1']);
    const none = await run(mfJoin, [], 'x\n');
    expect(none.stderr).toBe(
      "mf-join: give exactly one table: --table NAME=PATH, --table PATH or --table NAME (see 'mf-join --help')\n",
    );
    expect(none.exitCode).toBe(2);
    const as = await joinWith(table, ['--as', 'u'], 'x\n');
    expect(as.stderr).toBe(
      "mf-join: --as is for ndjson records (--split ndjson) (see 'mf-join --help')\n",
    );
    expect(as.exitCode).toBe(2);
    const missing = await run(mfJoin, ['--table', join(dir, 'nope.mft')], 'x\n');
    expect(missing.stderr).toBe(
      `mf-join: table ${join(dir, 'nope.mft')}: no such table (nothing at that path)\n`,
    );
    expect(missing.exitCode).toBe(2);
    // By name, its path from the environment: where the path came from is said.
    const named = await run(mfJoin, ['--table', 'users'], 'x\n', {
      env: { MANIFOLD_TABLE_USERS: join(dir, 'gone.mft') },
    });
    expect({ exitCode: named.exitCode, stderr: named.stderr }).toEqual({
      exitCode: 2,
      stderr: `mf-join: table ${join(dir, 'gone.mft')}: no such table (nothing at that path); the path is MANIFOLD_TABLE_USERS's, for --table users\n`,
    });
  });

  it('says it takes one table before it says a table given is missing', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 'users', 'u1 Ann\n', ['--key', 'field:1']);
    const one =
      "mf-join: give exactly one table: --table NAME=PATH, --table PATH or --table NAME (see 'mf-join --help')\n";
    // Neither there (the tables were opened first: `table b: no such table`), or one of them.
    for (const tables of [
      [`a=${join(dir, 'b')}`, `c=${join(dir, 'd')}`],
      [table, `c=${join(dir, 'd')}`],
    ]) {
      const both = await run(
        mfJoin,
        tables.flatMap((value) => ['--table', value]),
        'x\n',
      );
      expect(both.stderr).toBe(one);
      expect(both.exitCode).toBe(2);
    }
  });

  it('says in --help that it takes exactly one --table, where the SDK repeats --table', async () => {
    const help = (await run(mfJoin, ['--help'])).stdout.toString().replace(/\s+/g, ' ');
    const table = help.match(/ --table <table> (.*?) --key <spec>/)?.[1];
    expect(table).toBe(
      'the table to join with: NAME=PATH, PATH (named by its file name), or NAME (its path from MANIFOLD_TABLE_<NAME>, as manifold fan --table passes it); exactly one (default: none)',
    );
  });
});
