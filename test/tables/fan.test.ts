import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, fixture, manifold, type Result, run } from '../helpers.js';
import { builtTable, TSV_BY_FIELD_1, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

const mfJoin = bin('mf-join');
const sorted = (text: string) => text.split('\n').filter(Boolean).sort().join('\n');

const users = Array.from({ length: 200 }, (_, i) => `u${i}\tname${i}\n`).join('');
const events = Array.from({ length: 2000 }, (_, i) => `e${i}\tu${(i * 7) % 400}\n`).join('');

/**
 * `manifold fan` with `args` and the users table `table`, mf-join (`--key field:2`, then
 * `more`) in every worker, on the events.
 */
function fanJoin(table: string, args: string[], more: string[] = []): Promise<Result> {
  const worker = [mfJoin, '--table', 'users', '--key', 'field:2', ...more];
  return run(manifold, ['fan', ...args, '--table', `users=${table}`, '--', ...worker], events);
}

describe('manifold fan --table', () => {
  it('names the table to every worker in MANIFOLD_TABLE_<NAME>, its path made absolute', async () => {
    const dir = tempDir();
    await builtTable(dir, 'users', users, TSV_BY_FIELD_1);
    const result = await run(
      manifold,
      [
        'fan',
        '-j',
        '2',
        '--dispatch',
        'round-robin',
        '--block',
        '1',
        '--table',
        'user-ids=users.mft',
        '--shell',
        '--',
        'cat >/dev/null; echo "$MANIFOLD_TABLE_USER_IDS"',
      ],
      'a\nb\n',
      { cwd: dir },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe(`${join(dir, 'users.mft')}\n`.repeat(2));
  });

  it('runs mf-join in every worker: the same records as one mf-join', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 'users', users, TSV_BY_FIELD_1);
    const alone = await run(mfJoin, ['--table', table, '--key', 'field:2'], events);
    const fanned = await fanJoin(table, ['-j', '3', '--block', '4K']);
    expect(fanned.stderr).toBe('');
    expect(fanned.exitCode).toBe(0);
    expect(alone.stdout.toString().split('\n').length).toBeGreaterThan(900);
    expect(sorted(fanned.stdout.toString())).toBe(sorted(alone.stdout.toString()));
  });

  it('refuses a table that is not one, in one line, exit 2, before starting workers', async () => {
    const dir = tempDir();
    const result = await run(
      manifold,
      ['fan', '--table', `u=${join(dir, 'nope')}`, '--', 'cat'],
      'a\n',
    );
    expect(result.stderr).toBe(
      `manifold: table ${join(dir, 'nope')}: no such table (nothing at that path) (see 'manifold fan --help')\n`,
    );
    expect(result.exitCode).toBe(2);
  });

  it('refuses a table whose shard file was removed, cut short or replaced, in one line, exit 2, before starting workers', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 'users', users, [...TSV_BY_FIELD_1, '--shards', '2']);
    const shard = join(table, 'shard-1.mdb');
    const bytes = readFileSync(shard);
    const damages: [string, () => void, string][] = [
      // Was each worker's `cannot open shard-1.mdb: No such file or directory: Attempting to
      // open main database file`, after the fan had started them, exit 1.
      ['removed', () => {}, 'shard-1.mdb is missing'],
      ['a folder', () => mkdirSync(shard), 'shard-1.mdb is not a file'],
      [
        'cut short',
        () => writeFileSync(shard, bytes.subarray(0, 100)),
        `its files are ${statSync(join(table, 'shard-0.mdb')).size + 100} bytes, table.json says ${statSync(join(table, 'shard-0.mdb')).size + bytes.length}`,
      ],
    ];
    for (const [damage, make, what] of damages) {
      rmSync(shard, { recursive: true, force: true });
      make();
      const args = ['-j', '2', '--dispatch', 'hash', '--key', 'field:2', '--field-sep', 'tab'];
      const worker = [mfJoin, '--table', 'users', '--key', 'field:2', '--field-sep', 'tab'];
      const result = await run(
        manifold,
        ['fan', ...args, '--table', `users=${table}`, '--', ...worker],
        events,
      );
      expect({ damage, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        damage,
        exitCode: 2,
        stderr: `manifold: table ${table}: ${what}: damaged or changed since it was built (rebuild it) (see 'manifold fan --help')\n`,
      });
      expect(result.stdout.length).toBe(0);
    }
  });

  it('a name without =PATH: the one line says a value without = is a path, and to give NAME=PATH', async () => {
    const result = await run(manifold, ['fan', '--table', 'users', '--', 'cat'], 'a\n', {
      cwd: tempDir(),
    });
    expect(result.stderr).toBe(
      "manifold: --table users: nothing at the path users (a value without = is a table's path); to name a table, give NAME=PATH: --table users=<the table's folder> (see 'manifold fan --help')\n",
    );
    expect(result.exitCode).toBe(2);
  });

  it('a NAME= with no path: said so (was the folder it runs in, "not a table (no table.json)")', async () => {
    const result = await run(manifold, ['fan', '--table', 'users=', '--', 'cat'], 'a\n', {
      cwd: tempDir(),
    });
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr:
        "manifold: --table users=: the path after = is empty; give NAME=PATH (see 'manifold fan --help')\n",
    });
  });
});

describe('manifold fan with a sharded table', () => {
  it('gives worker i shard i-1 only, under --dispatch hash, and every key finds its value', async () => {
    const dir = tempDir();
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    const table = await builtTable(
      dir,
      'keys',
      keys.map((key) => `${key}\tvalue-${key}\n`).join(''),
      ['--key', 'field:1', '--field-sep', 'tab', '--value', 'field:2', '--shards', '3'],
    );
    const result = await run(
      manifold,
      [
        'fan',
        '-j',
        '3',
        '--dispatch',
        'hash',
        '--key',
        'whole',
        '--block',
        '1K',
        '--table',
        `t=${table}`,
        '--',
        fixture('table-lookup.js'),
        '--maps',
      ],
      keys.map((key) => `${key}\n`).join(''),
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.toString().split('\n').filter(Boolean);
    // Read from each worker's /proc/self/maps as it ends: the shard files it has mapped.
    expect(lines.filter((line) => line.startsWith('maps:')).sort()).toEqual([
      'maps:1:shard-0.mdb',
      'maps:2:shard-1.mdb',
      'maps:3:shard-2.mdb',
    ]);
    expect(lines.filter((line) => !line.startsWith('maps:')).sort()).toEqual(
      keys.map((key) => `${key}\tget:value-${key}`).sort(),
    );
  });

  it('joins events hash-partitioned by their user field against users sharded by id', async () => {
    const dir = tempDir();
    const plain = await builtTable(dir, 'plain', users, TSV_BY_FIELD_1);
    const sharded = await builtTable(dir, 'sharded', users, [...TSV_BY_FIELD_1, '--shards', '2']);
    const alone = await run(
      mfJoin,
      ['--table', plain, '--key', 'field:2', '--mode', 'left'],
      events,
    );
    const fanned = await fanJoin(
      sharded,
      ['-j', '2', '--dispatch', 'hash', '--key', 'field:2', '--field-sep', 'tab'],
      ['--mode', 'left'],
    );
    expect(fanned.stderr).toBe('');
    expect(sorted(fanned.stdout.toString())).toBe(sorted(alone.stdout.toString()));
  });

  it('refuses a worker count other than the shards, or a dispatch other than hash (exit 2)', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 'users', users, ['--key', 'field:1', '--shards', '2']);
    const message = `manifold: table users (${table}) has 2 shards: a fan that reads it needs 2 workers and --dispatch hash, keyed on the same key bytes as the table (field:1), one shard per worker (see 'manifold fan --help')\n`;
    for (const args of [
      ['-j', '3', '--dispatch', 'hash', '--key', 'field:1'],
      ['-j', '2', '--dispatch', 'round-robin'],
    ]) {
      const result = await run(
        manifold,
        ['fan', ...args, '--table', `users=${table}`, '--', 'cat'],
        'a\n',
      );
      expect(result.stderr).toBe(message);
      expect(result.exitCode).toBe(2);
    }
  });

  it('stops a worker whose keys were dispatched by other bytes than the table’s keys (exit 1)', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 'users', users, [...TSV_BY_FIELD_1, '--shards', '2']);
    const result = await fanJoin(table, ['-j', '2', '--dispatch', 'hash', '--key', 'field:1']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^mf-join: stdin:\d+: table .*users\.mft: key "u\d+" is in shard \d, but this worker opened shard \d only: dispatch with --dispatch hash on the same key bytes the table was built with \(its key is field:1\)\n/,
    );
  });
});

describe("a config's tables:", () => {
  it('names each table to every process, relative paths from the config’s folder', async () => {
    const dir = tempDir();
    await builtTable(dir, 'users', users, TSV_BY_FIELD_1);
    const config = writeInput(
      dir,
      'join.yaml',
      `tables:
  users: users.mft
stages:
  - fan:
      workers: 2
      worker: [${mfJoin}, --table, users, --key, field:2]
  - run: 'cat; echo "$MANIFOLD_TABLE_USERS"'
`,
    );
    const result = await run(manifold, ['run', config], events);
    expect(result.stderr).toBe('');
    const alone = await run(
      mfJoin,
      ['--table', join(dir, 'users.mft'), '--key', 'field:2'],
      events,
    );
    const lines = result.stdout.toString().split('\n').filter(Boolean);
    expect(lines.at(-1)).toBe(join(dir, 'users.mft'));
    expect(sorted(lines.slice(0, -1).join('\n'))).toBe(sorted(alone.stdout.toString()));
  });

  it('reports a table that is not one at its key, and a sharded table against its fan', async () => {
    const dir = tempDir();
    await builtTable(dir, 'users', users, ['--key', 'field:1', '--shards', '2']);
    rmSync(join(await builtTable(dir, 'gone', users, ['--key', 'field:1']), 'shard-0.mdb'));
    const config = writeInput(
      dir,
      'bad.yaml',
      `tables:
  missing: nope.mft
  gone: gone.mft
  users: users.mft
stages:
  - fan:
      workers: 3
      worker: cat
`,
    );
    const result = await run(manifold, ['check', config]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `bad.yaml:2:12: table ${join(dir, 'nope.mft')}: no such table (nothing at that path)\n`,
    );
    expect(result.stderr).toContain(
      `bad.yaml:3:9: table ${join(dir, 'gone.mft')}: shard-0.mdb is missing: damaged or changed since it was built (rebuild it)\n`,
    );
    expect(result.stderr).toMatch(
      /bad\.yaml:\d+:\d+: table users \(.*users\.mft\) has 2 shards: a fan that reads it needs 2 workers and dispatch hash/,
    );
  });

  it('refuses a name that is not one, and two names for one MANIFOLD_TABLE_<NAME>, in one line each', async () => {
    const dir = tempDir();
    await builtTable(dir, 'users', users, ['--key', 'field:1']);
    const config = writeInput(
      dir,
      'names.yaml',
      `tables:
  "bad name!": users.mft
  user-ids: users.mft
  user_ids: users.mft
stages:
  - fan: { workers: 2, worker: cat }
`,
    );
    const result = await run(manifold, ['check', config]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `${config}:2:3: a name in "tables" ("bad name!") may hold only letters, digits, _ . and -`,
      `${config}:4:13: tables user-ids and user_ids are both MANIFOLD_TABLE_USER_IDS: rename one`,
    ]);
  });
});

describe('manifold fan --table, twice', () => {
  it('refuses two tables of one name (or of one MANIFOLD_TABLE_<NAME>), exit 2, before starting workers', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 'users', users, ['--key', 'field:1']);
    for (const [a, b, variable] of [
      ['users', 'users', 'MANIFOLD_TABLE_USERS'],
      ['user-ids', 'user_ids', 'MANIFOLD_TABLE_USER_IDS'],
    ]) {
      const result = await run(
        manifold,
        ['fan', '--table', `${a}=${table}`, '--table', `${b}=${table}`, '--', 'cat'],
        'x\n',
      );
      expect(result.stderr).toBe(
        `manifold: tables ${a} and ${b} are both ${variable}: rename one (see 'manifold fan --help')\n`,
      );
      expect(result.exitCode).toBe(2);
      expect(result.stdout.toString()).toBe('');
    }
  });
});
