import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashBytes } from '../../filters/hash.js';
import { openTable } from '../../filters/tables/index.js';
import { manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { killQuietly } from '../support/proc.js';
import { collect, waitForExit } from '../support/spawn.js';
import { buildTable, builtTable, getKeys, TSV_BY_FIELD_1, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

// manifold table build --shards, table get and stat, and the table command's own line (progress,
// help): real processes on real LMDB files. Key specs, framings and bad input: build.test.ts.

describe('manifold table build --shards', () => {
  it('puts each key in the shard its hash picks, as --dispatch hash does', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `key${i}`);
    const table = await builtTable(tempDir(), 't', keys.map((key) => `${key} v${key}\n`).join(''), [
      '--key',
      'field:1',
      '--shards',
      '3',
    ]);
    expect(readdirSync(table).sort()).toEqual([
      'shard-0.mdb',
      'shard-0.mdb-lock',
      'shard-1.mdb',
      'shard-1.mdb-lock',
      'shard-2.mdb',
      'shard-2.mdb-lock',
      'table.json',
    ]);
    const whole = openTable(table);
    const shards = [0, 1, 2].map((shard) => openTable(table, { shard }));
    try {
      for (const key of keys) {
        const shard = hashBytes(Buffer.from(key)) % 3;
        expect(whole.getString(key)).toBe(`${key} v${key}`);
        expect(shards[shard]!.getString(key)).toBe(`${key} v${key}`);
        expect(() => shards[(shard + 1) % 3]!.get(key)).toThrow(
          new RegExp(
            `key "${key}" is in shard ${shard}, but this worker opened shard ${(shard + 1) % 3} only`,
          ),
        );
      }
      expect(new Set(keys.map((key) => hashBytes(Buffer.from(key)) % 3)).size).toBe(3);
    } finally {
      for (const opened of [whole, ...shards]) opened.close();
    }
  });
});

describe('manifold table get and stat', () => {
  it('prints the found values, then names each missing key and exits 1', async () => {
    const table = await builtTable(tempDir(), 't', 'a 1\nb 2\n', ['--key', 'field:1']);
    const result = await getKeys(table, ['a', 'x', 'b', 'y']);
    expect(result.stdout.toString()).toBe('a 1\nb 2\n');
    expect(result.stderr).toBe(
      `manifold: table ${table}: no key "x"\nmanifold: table ${table}: no key "y"\n`,
    );
    expect(result.exitCode).toBe(1);
    const withKey = await getKeys(table, ['b'], ['--with-key']);
    expect(withKey.stdout.toString()).toBe('b\tb 2\n');
  });

  // Only the last --keys-from was read: the others' keys were dropped, exit 0 (QA).
  it('reads every --keys-from given, in turn, as grep -f', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 'kv', 'a\t1\nb\t2\nc\t3\n', TSV_BY_FIELD_1);
    writeFileSync(join(dir, 'k1'), 'a\n');
    writeFileSync(join(dir, 'k2'), 'c\nb\n');
    const result = await run(manifold, [
      'table',
      'get',
      '-f',
      join(dir, 'k1'),
      '--keys-from',
      join(dir, 'k2'),
      table,
      'x',
    ]);
    expect(result.stdout.toString()).toBe('a\t1\nc\t3\nb\t2\n');
    expect([result.exitCode, result.stderr]).toEqual([1, `manifold: table ${table}: no key "x"\n`]);
    // An empty keys file (a pipeline's events none today) looks nothing up, as grep -f: exit 0.
    // It was the usage error of no keys at all, exit 2.
    const none = await run(manifold, ['table', 'get', '-f', '-', table], '');
    expect([none.exitCode, none.stdout.toString(), none.stderr]).toEqual([0, '', '']);
    const noKeys = await run(manifold, ['table', 'get', table]);
    expect([noKeys.exitCode, noKeys.stderr]).toEqual([
      2,
      'manifold: no keys: name them, or give a file of them with --keys-from\n',
    ]);
  });

  it('looks up 200,000 keys from stdin (--keys-from -): they overflowed the stack, exit 1 with nothing written', async () => {
    const dir = tempDir();
    const keys = Array.from({ length: 200_000 }, (_, i) => `k${i}`);
    const table = await builtTable(
      dir,
      'many',
      keys.map((key) => `${key}\tv\n`).join(''),
      TSV_BY_FIELD_1,
    );
    const result = await run(
      manifold,
      ['table', 'get', '--keys-from', '-', table],
      `${keys.join('\n')}\n`,
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    // Each key's value, the whole record (the table's --value), in the keys' order.
    const lines = result.stdout.toString().split('\n');
    expect([lines.length, lines[0], lines[199_999], lines[200_000]]).toEqual([
      200_001,
      'k0\tv',
      'k199999\tv',
      '',
    ]);
  });

  it('looks up keys that are not UTF-8, read as bytes from a file or stdin (--keys-from, -0)', async () => {
    // Keys of any bytes are built fine; on the command line Node would read 0xff as U+FFFD.
    const binary = Buffer.from([0x6b, 0xff, 0xfe]);
    const input = Buffer.concat([binary, Buffer.from(' 1\nplain 2\n')]);
    const table = await builtTable(tempDir(), 't', input, ['--key', 'field:1']);
    const dir = tempDir();
    const keys = writeInput(dir, 'keys', Buffer.concat([binary, Buffer.from('\nnone\n')]));
    const fromFile = await getKeys(table, [], ['--keys-from', keys, '--with-key']);
    expect(fromFile.stdout).toEqual(
      Buffer.concat([binary, Buffer.from('\t'), input.subarray(0, 5), Buffer.from('\n')]),
    );
    expect(fromFile.stderr).toBe(`manifold: table ${table}: no key "none"\n`);
    expect(fromFile.exitCode).toBe(1);
    // -0: keys ended by NUL, from stdin; with keys named on the command line, those first.
    const stdin = Buffer.concat([binary, Buffer.from('\0')]);
    const fromStdin = await run(
      manifold,
      ['table', 'get', '-0', '--keys-from', '-', table, 'plain'],
      stdin,
    );
    expect(fromStdin.stdout).toEqual(
      Buffer.from(`plain 2\n${input.subarray(0, 5).toString('latin1')}\n`, 'latin1'),
    );
    expect(fromStdin.exitCode).toBe(0);
    // A missing key that is not text is named with its bytes escaped.
    const odd = writeInput(dir, 'odd', Buffer.from([0x78, 0xff, 0x0a]));
    const missing = await getKeys(table, [], ['--keys-from', odd]);
    expect(missing.stderr).toBe(`manifold: table ${table}: no key "x\\xff"\n`);
    expect(missing.exitCode).toBe(1);
    // A file that cannot be read is named as a shell takes it back (it said `a b`, and `: `).
    for (const [file, said] of [
      [`${dir}/a\nb`, `$'${dir}/a\\nb'`],
      ['', "''"],
    ]) {
      const unread = await getKeys(table, [], ['--keys-from', file!]);
      expect([unread.exitCode, unread.stderr]).toEqual([
        2,
        `manifold: --keys-from ${said}: cannot read it: no such file\n`,
      ]);
    }
  });

  it('dies of SIGPIPE, quietly, when its output is closed early (`| head -1`)', async () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `k${i}`);
    const table = await builtTable(
      tempDir(),
      't',
      keys.map((key) => `${key} ${'v'.repeat(100)}\n`).join(''),
      ['--key', 'field:1'],
    );
    const get = spawn(manifold, ['table', 'get', table, ...keys], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onCleanup(() => killQuietly(get.pid!));
    const stderr = collect(get.stderr);
    // The first bytes read, then the pipe closed with the rest (300 KiB) still to come.
    await once(get.stdout!, 'readable');
    get.stdout!.destroy();
    const end = await waitForExit(get);
    expect((await stderr).toString()).toBe('');
    expect(end.signal).toBe('SIGPIPE');
  });

  it('quotes a table path that is empty or holds blanks in its lines (was `table : no such table`)', async () => {
    const dir = tempDir();
    const spaced = join(dir, 'my t.mft');
    await buildTable([writeInput(dir, 'in.txt', 'a 1\n'), '--key', 'field:1', '-o', spaced]);
    for (const command of ['get', 'stat']) {
      const empty = await run(manifold, [
        'table',
        command,
        '',
        ...(command === 'get' ? ['a'] : []),
      ]);
      expect({ command, exitCode: empty.exitCode, stderr: empty.stderr }).toEqual({
        command,
        exitCode: 2,
        stderr: "manifold: table '': no such table (nothing at that path)\n",
      });
    }
    const missing = await getKeys(spaced, ['a', 'zz']);
    expect({ exitCode: missing.exitCode, stderr: missing.stderr }).toEqual({
      exitCode: 1,
      stderr: `manifold: table '${spaced}': no key "zz"\n`,
    });
    expect(missing.stdout.toString()).toBe('a 1\n');
  });

  it('refuses a shard file of the right size that is not LMDB in one line, exit 2 (was SIGSEGV, 139)', async () => {
    const table = await builtTable(tempDir(), 't', 'a 1\nb 2\n', ['--key', 'field:1']);
    const shard = join(table, 'shard-0.mdb');
    const { size } = statSync(shard);
    // Zeros (a copy that was never written), and text (another file saved over it).
    for (const bytes of [Buffer.alloc(size), Buffer.alloc(size, 'not lmdb\n')]) {
      writeFileSync(shard, bytes);
      for (const command of ['get', 'stat']) {
        const result = await run(manifold, [
          'table',
          command,
          table,
          ...(command === 'get' ? ['a'] : []),
        ]);
        expect(result.stderr).toBe(
          `manifold: table ${table}: shard-0.mdb is not an LMDB file: damaged or changed since it was built (rebuild it)\n`,
        );
        expect(result.exitCode).toBe(2);
      }
    }
  });

  it('names the table when a page of it is damaged, exit 1 (was "Error: MDB_CORRUPTED: ...", no table named)', async () => {
    const table = await builtTable(tempDir(), 't', 'a 1\nb 2\n', ['--key', 'field:1']);
    const shard = join(table, 'shard-0.mdb');
    const bytes = readFileSync(shard);
    bytes.fill(0, 2 * 4096, 3 * 4096); // the tree's one leaf, after the two meta pages
    writeFileSync(shard, bytes);
    const result = await getKeys(table, ['a']);
    // LMDB itself prints a line of its own on stderr before ("internal error, ...").
    expect(result.stderr.split('\n').slice(-2)).toEqual([
      `manifold: table ${table}: cannot read it: MDB_CORRUPTED: Located page was wrong type (damaged: rebuild it)`,
      '',
    ]);
    expect(result.exitCode).toBe(1);
  });

  it('says it cannot write stdout when it is full, as manifold fan does, exit 1 (was "Error: ENOSPC: ..., write")', async () => {
    const table = await builtTable(tempDir(), 't', 'a 1\n', ['--key', 'field:1']);
    for (const args of [
      ['get', table, 'a'],
      ['stat', table],
    ]) {
      const result = await run('sh', [
        '-c',
        'exec "$@" > /dev/full',
        'sh',
        manifold,
        'table',
        ...args,
      ]);
      expect(result.stderr).toBe(
        'manifold: cannot write stdout: no space left on device (ENOSPC)\n',
      );
      expect(result.exitCode).toBe(1);
    }
  });

  it('describes a table: records, keys, size, shards, key spec, when built, from what', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 't', 'a\t1\nb\t2\n', [...TSV_BY_FIELD_1, '--shards', '2']);
    const result = await run(manifold, ['table', 'stat', table]);
    expect(result.exitCode).toBe(0);
    const text = result.stdout.toString();
    expect(text).toMatch(
      /^table {6}.*t\.mft\nformat {5}manifold-table 1\nkey {8}field:1 \(field separator "tab"\)\n/,
    );
    expect(text).toMatch(
      /\nrecords {4}2\nkeys {7}2\nshards {5}2\nsize {7}\d+(\.\d)? KiB \(\d+ bytes\)\nbuilt {6}\d{4}-\d\d-\d\dT/,
    );
    expect(text).toContain(`\nfrom       ${join(dir, 't.in')}\n`);
  });
});

describe('manifold table: the command line', () => {
  it('draws --progress on a terminal only, then the summary line', async () => {
    const dir = tempDir();
    const input = writeInput(dir, 'in.txt', 'a 1\nb 2\n');
    const line = `${manifold} table build ${input} --key field:1 -o ${join(dir, 't.mft')} --progress`;
    const tty = await run('script', ['-qec', line, '/dev/null']);
    // The terminal's escapes made visible: ESC [ K clears the rest of the line.
    expect(tty.stdout.toString().replaceAll('\x1b[K', '<clear>')).toMatch(
      /^\rbuilding: 2 records, 8 B read, \d+ records\/s<clear>\r<clear>manifold: built .*t\.mft: 2 records, 2 keys, 0 duplicates, /,
    );
    const piped = await buildTable([
      input,
      '--key',
      'field:1',
      '-o',
      join(dir, 't.mft'),
      '--progress',
    ]);
    expect(piped.stderr).toMatch(
      /^manifold: built .*t\.mft: 2 records, 2 keys, 0 duplicates, [^\n]*\n$/,
    );
  });

  it('shows help with examples for table and each subcommand; table alone is a usage error', async () => {
    for (const args of [
      ['table', '--help'],
      ['table', 'build', '--help'],
      ['table', 'get', '--help'],
      ['table', 'stat', '--help'],
    ]) {
      const result = await run(manifold, args);
      expect(result.exitCode).toBe(0);
      expect(result.stdout.toString()).toMatch(/\nExamples:\n {2}manifold table /);
      // Every option the issue names has an example of its own.
      if (args[1] === 'build') {
        const examples = result.stdout.toString().split('\nExamples:\n')[1]!;
        for (const option of [
          '--key',
          '--value',
          '--split',
          '--field-sep',
          '--duplicates',
          '--shards',
          '--progress',
          '-o',
        ])
          expect(examples).toContain(` ${option} `);
      }
    }
    const alone = await run(manifold, ['table']);
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toMatch(/^Usage: manifold table \[options\] \[command\]\n/);
  });
});
