import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashBytes } from '../../filters/hash.js';
import { fixture, run } from '../helpers.js';
import { builtTable, getKeys, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

const lookup = fixture('table-lookup.js');

/** A table of every value (field 2) of each key (field 1). */
const ALL_OF_FIELD_2 = ['--key', 'field:1', '--value', 'field:2', '--duplicates', 'all'];

/** Runs the lookup fixture over `keys` (one per line) with `args`; never rejects. */
const lookUp = (keys: string[], args: string[], env: Record<string, string> = {}) =>
  run(lookup, args, keys.map((key) => `${key}\n`).join(''), { env });

describe('the SDK: ctx.table()', () => {
  const users = 'u1\t{"name":"Ann"}\nu2\tplain text\nu3\t[1,2]\n';
  const build = (dir: string) =>
    builtTable(dir, 't', users, ['--key', 'field:1', '--field-sep', 'tab', '--value', 'field:2']);

  const methods: { method: string; keys: string[]; expected: string[] }[] = [
    {
      method: 'get',
      keys: ['u1', 'nope'],
      expected: ['u1\tget:{"name":"Ann"}', 'nope\tget:undefined'],
    },
    { method: 'getString', keys: ['u2'], expected: ['u2\tgetString:"plain text"'] },
    {
      method: 'getJSON',
      keys: ['u1', 'u3', 'x'],
      expected: ['u1\tgetJSON:{"name":"Ann"}', 'u3\tgetJSON:[1,2]', 'x\tgetJSON:undefined'],
    },
    { method: 'has', keys: ['u3', 'u4'], expected: ['u3\thas:true', 'u4\thas:false'] },
    { method: 'getAll', keys: ['u2', 'u9'], expected: ['u2\tgetAll:plain text', 'u9\tgetAll:'] },
  ];
  for (const { method, keys, expected } of methods) {
    it(`looks keys up with ${method}`, async () => {
      const table = await build(tempDir());
      const result = await lookUp(keys, ['--table', `t=${table}`, '--method', method]);
      expect(result.stderr).toBe('');
      expect(result.stdout.toString()).toBe(expected.map((line) => `${line}\n`).join(''));
    });
  }

  it('gives every value of a key with getAll, in input order, from a --duplicates all table', async () => {
    const table = await builtTable(tempDir(), 't', 'k c\nk a\nk b\nj z\n', ALL_OF_FIELD_2);
    const result = await lookUp(['k', 'j'], ['--table', `t=${table}`, '--method', 'getAll']);
    expect(result.stdout.toString()).toBe('k\tgetAll:c|a|b\nj\tgetAll:z\n');
    const first = await lookUp(['k'], ['--table', `t=${table}`]);
    expect(first.stdout.toString()).toBe('k\tget:c\n');
  });

  // Past 16 MiB lmdb gives a plain Uint8Array, not its reused Buffer: every lookup of such a
  // list threw `value.readUInt32BE is not a function` (table get, mf-join, the SDK, exit 1).
  it('reads a --duplicates all list past 16 MiB: get, getAll, floor, table get', async () => {
    const big = 'v'.repeat(17 * 1024 * 1024);
    const table = await builtTable(tempDir(), 't', `k ${big}\nk small\nj z\n`, ALL_OF_FIELD_2);
    for (const method of ['get', 'getAll', 'floor']) {
      const result = await lookUp(['k'], ['--table', `t=${table}`, '--method', method, '--length']);
      expect({ method, err: result.stderr, out: result.stdout.toString() }).toEqual({
        method,
        err: '',
        out: `k\t${method}:${big.length + { get: 0, getAll: '|small'.length, floor: 'k='.length }[method]!}\n`,
      });
    }
    const got = await getKeys(table, ['k']);
    expect({ exit: got.exitCode, err: got.stderr, bytes: got.stdout.length }).toEqual({
      exit: 0,
      err: '',
      bytes: big.length + '\nsmall\n'.length,
    });
  });

  it('finds the greatest key at or below a key with floor (range tables)', async () => {
    // IP-range style: each range's start, zero-padded so that byte order is numeric order.
    const ranges = '0000000100 net-a\n0000000200 net-b\n0000000900 net-c\n';
    const table = await builtTable(tempDir(), 't', ranges, [
      '--key',
      'field:1',
      '--value',
      'field:2',
    ]);
    const keys = ['0000000050', '0000000100', '0000000150', '0000000899', '0000099999'];
    const result = await lookUp(keys, ['--table', `t=${table}`, '--method', 'floor']);
    expect(result.stdout.toString()).toBe(
      [
        '0000000050\tfloor:undefined',
        '0000000100\tfloor:0000000100=net-a',
        '0000000150\tfloor:0000000100=net-a',
        '0000000899\tfloor:0000000200=net-b',
        '0000099999\tfloor:0000000900=net-c',
      ]
        .map((line) => `${line}\n`)
        .join(''),
    );
  });

  // A one-shard worker's floor looked in its own shard only: the greatest key below was most
  // often in another, and the answer was quietly wrong (QA: 95 of 143 lookups, exit 0).
  it('finds floor across every shard in a worker that opened one shard (MANIFOLD_WORKER i of N)', async () => {
    const starts = Array.from({ length: 60 }, (_, i) => String(i * 10).padStart(4, '0'));
    const ranges = starts.map((start) => `${start} net${start}\n`).join('');
    const args = ['--key', 'field:1', '--value', 'field:2', '--shards', '3'];
    const table = await builtTable(tempDir(), 't', ranges, args);
    // The keys of shard 1 (worker 2's), each looked up one past a range's start.
    const keys = starts
      .map((start) => String(Number(start) + 1).padStart(4, '0'))
      .filter((key) => hashBytes(Buffer.from(key)) % 3 === 1);
    const env = { MANIFOLD_TABLE_T: table, MANIFOLD_WORKER: '2', MANIFOLD_WORKERS: '3' };
    const result = await lookUp(keys, ['--method', 'floor', '--maps'], env);
    expect(result.stderr).toBe('');
    const floor = (key: string) => String(Number(key) - 1).padStart(4, '0');
    expect(result.stdout.toString()).toBe(
      `${keys.map((key) => `${key}\tfloor:${floor(key)}=net${floor(key)}\n`).join('')}maps:2:shard-0.mdb,shard-1.mdb,shard-2.mdb\n`,
    );
    // get still checks that its keys are the shard's: the others are open for floor only.
    const other = keys
      .map((key) => floor(key))
      .find((key) => hashBytes(Buffer.from(key)) % 3 !== 1)!;
    const getOther = await lookUp([other], [], env);
    expect(getOther.exitCode).toBe(1);
    expect(getOther.stderr).toContain('but this worker opened shard 1 only');
  });

  it('looks binary keys up in frames', async () => {
    const key = Buffer.from([0xff, 0x00, 0x0a]);
    const frame = (bytes: Buffer) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(bytes.length);
      return Buffer.concat([header, bytes]);
    };
    const dir = tempDir();
    const table = await builtTable(
      dir,
      't',
      frame(Buffer.concat([key, Buffer.from('\t\x80\x81', 'latin1')])),
      ['--split', 'frames', '--key', 'field:1', '--field-sep', 'tab', '--value', 'field:2'],
    );
    const result = await run(lookup, ['--table', `t=${table}`, '--split', 'frames'], frame(key));
    expect(result.stderr).toBe('');
    expect(result.stdout).toEqual(
      frame(Buffer.concat([key, Buffer.from('\tget:\x80\x81', 'latin1')])),
    );
  });

  it('names a table by --table NAME=PATH, by PATH (its file name), or by NAME from the environment', async () => {
    const table = await build(tempDir());
    const expected = 'u2\tget:plain text\n';
    expect((await lookUp(['u2'], ['--table', `t=${table}`])).stdout.toString()).toBe(expected);
    expect((await lookUp(['u2'], ['--table', table])).stdout.toString()).toBe(expected);
    const byName = await lookUp(['u2'], ['--table', 't'], { MANIFOLD_TABLE_T: table });
    expect(byName.stdout.toString()).toBe(expected);
    const declaredOnly = await lookUp(['u2'], [], { MANIFOLD_TABLE_T: table });
    expect(declaredOnly.stdout.toString()).toBe(expected);
  });

  it('opens only its own shard in a fan worker of a sharded table (MANIFOLD_WORKER i of N)', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const table = await builtTable(tempDir(), 't', keys.map((k) => `${k} v\n`).join(''), [
      '--key',
      'field:1',
      '--shards',
      '3',
    ]);
    const mine = keys.filter((key) => hashBytes(Buffer.from(key)) % 3 === 1);
    const env = { MANIFOLD_TABLE_T: table, MANIFOLD_WORKER: '2', MANIFOLD_WORKERS: '3' };
    const result = await lookUp(mine, ['--maps'], env);
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe(
      `${mine.map((key) => `${key}\tget:${key} v\n`).join('')}maps:2:shard-1.mdb\n`,
    );
    const other = keys.find((key) => hashBytes(Buffer.from(key)) % 3 === 0)!;
    const wrong = await lookUp([other], [], env);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toBe(
      `table-lookup: stdin:1: table ${table}: key "${other}" is in shard 0, but this worker opened shard 1 only: dispatch with --dispatch hash on the same key bytes the table was built with (its key is field:1)\n`,
    );
    // Outside a fan of as many workers as shards, every shard is opened, and keys are routed.
    const whole = await lookUp(keys, ['--maps'], { MANIFOLD_TABLE_T: table });
    expect(whole.stdout.toString()).toContain('\nmaps:-:shard-0.mdb,shard-1.mdb,shard-2.mdb\n');
  });
});

describe('the SDK: tables that cannot be read', () => {
  it('refuses each in one line, exit 2, before reading a record', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 't', 'a 1\n', ['--key', 'field:1']);
    mkdirSync(join(dir, 'empty'));
    const file = writeInput(dir, 'file.txt', 'x');
    const old = join(dir, 'old.mft');
    mkdirSync(old);
    const meta = JSON.parse(readFileSync(join(table, 'table.json'), 'utf8'));
    writeFileSync(join(old, 'table.json'), JSON.stringify({ ...meta, version: 99 }));
    // A shard cut short killed the reader with SIGSEGV (LMDB maps the file as it is).
    const cut = join(dir, 'cut.mft');
    mkdirSync(cut);
    writeFileSync(join(cut, 'table.json'), JSON.stringify(meta));
    writeFileSync(
      join(cut, 'shard-0.mdb'),
      readFileSync(join(table, 'shard-0.mdb')).subarray(0, 100),
    );
    // A shard file removed, or a folder at its name: LMDB's `No such file or directory:
    // Attempting to open main database file`, naming no table.
    const removed = join(dir, 'removed.mft');
    mkdirSync(removed);
    writeFileSync(join(removed, 'table.json'), JSON.stringify(meta));
    const folder = join(dir, 'folder.mft');
    mkdirSync(join(folder, 'shard-0.mdb'), { recursive: true });
    writeFileSync(join(folder, 'table.json'), JSON.stringify(meta));
    // A lock file LMDB can neither use nor make: lmdb 3.5 died of SIGSEGV.
    const lockFolder = join(dir, 'lock-folder.mft');
    cpSync(table, lockFolder, { recursive: true });
    rmSync(join(lockFolder, 'shard-0.mdb-lock'));
    mkdirSync(join(lockFolder, 'shard-0.mdb-lock'));
    const lockLink = join(dir, 'lock-link.mft');
    cpSync(table, lockLink, { recursive: true });
    rmSync(join(lockLink, 'shard-0.mdb-lock'));
    symlinkSync(join(dir, 'nowhere', 'lock'), join(lockLink, 'shard-0.mdb-lock'));
    const bare = join(dir, 'bare.mft');
    mkdirSync(bare);
    writeFileSync(
      join(bare, 'table.json'),
      JSON.stringify({ format: meta.format, version: 1, key: 'whole', shards: 1 }),
    );
    const cases: [string[], Record<string, string>, string][] = [
      [
        ['--table', `t=${join(dir, 'nope')}`],
        {},
        `table ${join(dir, 'nope')}: no such table (nothing at that path)`,
      ],
      [
        ['--table', `t=${join(dir, 'empty')}`],
        {},
        `table ${join(dir, 'empty')}: not a table (no table.json)`,
      ],
      [['--table', `t=${file}`], {}, `table ${file}: not a table (not a directory)`],
      [
        ['--table', `t=${old}`],
        {},
        `table ${old}: format version 99, this manifold reads version 1 (rebuild it)`,
      ],
      [
        ['--table', `t=${cut}`],
        {},
        `table ${cut}: its files are 100 bytes, table.json says ${meta.bytes}: damaged or changed since it was built (rebuild it)`,
      ],
      [
        ['--table', `t=${removed}`],
        {},
        `table ${removed}: shard-0.mdb is missing: damaged or changed since it was built (rebuild it)`,
      ],
      [
        ['--table', `t=${folder}`],
        {},
        `table ${folder}: shard-0.mdb is not a file: damaged or changed since it was built (rebuild it)`,
      ],
      [
        ['--table', `t=${lockFolder}`],
        {},
        `table ${lockFolder}: shard-0.mdb-lock is not a file: remove it (the next reader makes it again)`,
      ],
      [
        ['--table', `t=${lockLink}`],
        {},
        `table ${lockLink}: shard-0.mdb-lock is a link to nothing: remove it (the next reader makes it again)`,
      ],
      [
        ['--table', `t=${bare}`],
        {},
        `table ${bare}: table.json is damaged (no "lmdb"): rebuild it`,
      ],
      // Was `table : no such table (nothing at that path)`.
      [['--table', 't='], {}, '--table t=: the path after = is empty; give NAME=PATH'],
      // Names are quoted as the shell would, as every table command's lines quote them (were
      // JSON: `table "t" was not given`, `--table "": ...`, `nothing at the path "users"`).
      [[], {}, 'table t was not given: name it with --table t=PATH (or set MANIFOLD_TABLE_T)'],
      [['--table', ''], {}, "--table '': give NAME=PATH, PATH or NAME"],
      [
        ['--table', 'my users'],
        {},
        "--table 'my users': nothing at the path 'my users' (a value without = is a table's path); to name a table, give NAME=PATH: --table 'my users'=<the table's folder>",
      ],
      [
        ['--table', `t=${table}`, '--table', `t=${join(dir, 'empty')}`],
        {},
        '--table t: given twice (one name, one table)',
      ],
      [
        ['--table', 'users'],
        {},
        "--table users: nothing at the path users (a value without = is a table's path); to name a table, give NAME=PATH: --table users=<the table's folder>",
      ],
      [
        ['--table', 'usres'],
        { MANIFOLD_TABLE_USERS: table, MANIFOLD_TABLE_IDS: table },
        '--table usres: no table of that name here (MANIFOLD_TABLE_USRES is not set; MANIFOLD_TABLE_IDS and MANIFOLD_TABLE_USERS are), and nothing at the path usres',
      ],
    ];
    // Side by side: one after another, the cases' ~18 processes passed vitest's 30 s in 4 runs
    // of 4 of this file, and 7 of 8 of this test alone, under load (four copies and two busy
    // loops, load 26-45).
    const results = await Promise.all(cases.map(([args, env]) => lookUp(['a'], args, env)));
    expect(
      results.map(({ stderr, exitCode, stdout }) => ({ stderr, exitCode, stdout: `${stdout}` })),
    ).toEqual(
      cases.map(([, , message]) => ({
        stderr: `table-lookup: ${message}\n`,
        exitCode: 2,
        stdout: '',
      })),
    );
    // ~18 Node processes at once on a loaded machine's share: side by side they took 14-27 s.
  }, 60_000);

  it('reports a value that is not JSON at its record (exit 1)', async () => {
    const table = await builtTable(tempDir(), 't', 'a not-json\n', [
      '--key',
      'field:1',
      '--value',
      'field:2',
    ]);
    const result = await lookUp(['a'], ['--table', `t=${table}`, '--method', 'getJSON']);
    expect(result.stderr).toBe(
      `table-lookup: stdin:1: table ${table}: the value of key "a" is not JSON\n`,
    );
    expect(result.exitCode).toBe(1);
  });
});
