import { mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTable } from '../../filters/tables/index.js';
import { manifold, run } from '../helpers.js';
import { buildTable, builtTable, getKeys, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

const frames = (...records: Buffer[]) =>
  Buffer.concat(
    records.flatMap((record) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(record.length);
      return [header, record];
    }),
  );

describe('manifold table build: key specs and framings', () => {
  const cases: { name: string; input: string; args: string[]; expect: Record<string, string> }[] = [
    {
      name: 'lines, field:1 on blanks, the whole record as value',
      input: '  a 1\nb\t2\n',
      args: ['--key', 'field:1'],
      expect: { a: '  a 1', b: 'b\t2' },
    },
    {
      name: 'TSV, field:2 with --field-sep tab',
      input: 'x y\tk1\tv1\nz\tk2\tv2\n',
      args: ['--key', 'field:2', '--field-sep', 'tab'],
      expect: { k1: 'x y\tk1\tv1', k2: 'z\tk2\tv2' },
    },
    {
      name: 'CSV, field:2 with --field-sep , and --value field:3',
      input: '1,apple,0.5\n2,pear,0.7\n',
      args: ['--key', 'field:2', '--field-sep', ',', '--value', 'field:3'],
      expect: { apple: '0.5', pear: '0.7' },
    },
    {
      name: 'whole records as keys',
      input: 'one\ntwo\n',
      args: ['--key', 'whole'],
      expect: { one: 'one', two: 'two' },
    },
    {
      name: 'nul framing',
      input: 'a b\0c d\0',
      args: ['--key', 'field:1', '--split', 'nul', '--value', 'field:2'],
      expect: { a: 'b', c: 'd' },
    },
    {
      name: 'delim: framing with a multi-byte delimiter',
      input: 'k1 v 1;;k2 v 2;;',
      args: ['--key', 'field:1', '--split', 'delim:;;'],
      expect: { k1: 'k1 v 1', k2: 'k2 v 2' },
    },
    {
      name: 'ndjson by json:<path> (ndjson is the default framing for json keys)',
      input: '{"id":"u1","name":"Ann"}\n{"id":7,"name":"Bo"}\n',
      args: ['--key', 'json:id'],
      expect: { u1: '{"id":"u1","name":"Ann"}', '7': '{"id":7,"name":"Bo"}' },
    },
    {
      name: 'ndjson, a nested key, a JSON value',
      input: '{"user":{"id":"a"},"tags":["x"]}\n{"user":{"id":"b"}}\n',
      args: ['--key', 'json:user.id', '--value', 'json:tags'],
      expect: { a: '["x"]', b: 'null' },
    },
    {
      name: 'fixed-size records',
      input: 'ab12cd34',
      args: ['--key', 'whole', '--split', 'fixed:4'],
      expect: { ab12: 'ab12', cd34: 'cd34' },
    },
  ];

  for (const { name, input, args, expect: values } of cases) {
    it(name, async () => {
      const table = await builtTable(tempDir(), 't', input, args);
      const keys = Object.keys(values);
      const result = await getKeys(table, keys);
      expect(result.stderr).toBe('');
      expect(result.stdout.toString()).toBe(keys.map((key) => `${values[key]}\n`).join(''));
    });
  }

  it('skips blank lines in ndjson, keeping the numbers of the lines after them, as every ndjson reader does (stopped the build: "in.ndjson:2: not JSON")', async () => {
    const dir = tempDir();
    const path = writeInput(dir, 'in.ndjson', '{"id":"a"}\n\n \t\r\n{"id":"b"}\n{"id":"a"}\n');
    const target = join(dir, 't.mft');
    const duplicate = await buildTable([path, '--key', 'json:id', '-o', target]);
    expect(duplicate.stderr).toBe(
      `manifold: ${path}:5: duplicate key "a", first at ${path}:1 (--duplicates first, last or all take it)\n`,
    );
    const built = await buildTable([
      path,
      '--key',
      'json:id',
      '--duplicates',
      'last',
      '-o',
      target,
    ]);
    expect(built.stderr).toMatch(/^manifold: built .*: 3 records, 2 keys, 1 duplicate,/);
    const result = await getKeys(target, ['a', 'b']);
    expect(result.stdout.toString()).toBe('{"id":"a"}\n{"id":"b"}\n');
    // --split lines still reads every line: a blank one is not JSON.
    const lines = await buildTable([path, '--key', 'json:id', '--split', 'lines', '-o', target]);
    expect(lines.stderr).toMatch(/:2: not JSON: /);
    expect(lines.exitCode).toBe(1);
  });

  it('takes binary keys and values in frames', async () => {
    const key = Buffer.from([0xff, 0x00, 0x80]);
    const value = Buffer.from([0x00, 0x0a, 0xfe, 0x09]);
    const input = frames(Buffer.concat([key, Buffer.from(','), value]), Buffer.from('k,v'));
    const table = await builtTable(tempDir(), 't', input, [
      '--key',
      'field:1',
      '--field-sep',
      ',',
      '--value',
      'field:2',
      '--split',
      'frames',
    ]);
    const opened = openTable(table);
    try {
      expect(Buffer.compare(opened.get(key)!, value)).toBe(0);
      expect(opened.getString('k')).toBe('v');
    } finally {
      opened.close();
    }
  });

  it('reads several inputs in order, stdin as -', async () => {
    const dir = tempDir();
    const first = writeInput(dir, 'a.tsv', 'a 1\n');
    const table = join(dir, 't.mft');
    const result = await buildTable([first, '-', '-o', table, '--key', 'field:1'], 'b 2\n');
    expect(result.exitCode).toBe(0);
    expect((await getKeys(table, ['a', 'b'])).stdout.toString()).toBe('a 1\nb 2\n');
  });
});

describe('manifold table build: duplicates', () => {
  const input = 'a 1\nb 2\na 3\na 4\n';

  it('stops at a duplicate under error (the default), naming both records, leaving nothing', async () => {
    const dir = tempDir();
    const path = writeInput(dir, 'in.txt', input);
    const result = await buildTable([path, '--key', 'field:1', '-o', join(dir, 't.mft')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `manifold: ${path}:3: duplicate key "a", first at ${path}:1 (--duplicates first, last or all take it)\n`,
    );
    expect(readdirSync(dir)).toEqual(['in.txt']);
  });

  it('names both records of stdin too', async () => {
    const dir = tempDir();
    const result = await buildTable(['-', '--key', 'field:1', '-o', join(dir, 't.mft')], input);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'manifold: stdin:3: duplicate key "a", first at stdin:1 (--duplicates first, last or all take it)\n',
    );
  });

  // The key's bytes went to the terminal as they were: U+FFFD, and an escape sequence that ran.
  it('names a duplicate key that is not plain text by its bytes, as table get does (\\xNN)', async () => {
    const dir = tempDir();
    const key = 'a\xff\x1b[31m';
    const path = writeInput(dir, 'in.tsv', Buffer.from(`${key}\tx\n${key}\ty\n`, 'latin1'));
    const args = ['--key', 'field:1', '--field-sep', 'tab', '-o', join(dir, 't.mft')];
    const result = await buildTable([path, ...args]);
    expect([result.exitCode, result.stderr]).toEqual([
      1,
      `manifold: ${path}:2: duplicate key "a\\xff\\x1b[31m", first at ${path}:1 (--duplicates first, last or all take it)\n`,
    ]);
  });

  it('reports a duplicate before a record without a key: the first problem in the input', async () => {
    const dir = tempDir();
    const path = writeInput(dir, 'in.txt', 'a 1\na 2\n\nb 3\n');
    const result = await buildTable([path, '--key', 'field:1', '-o', join(dir, 't.mft')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(`manifold: ${path}:2: duplicate key "a", first at ${path}:1`);
  });

  for (const [policy, expected] of [
    ['first', 'a 1\n'],
    ['last', 'a 4\n'],
    ['all', 'a 1\na 3\na 4\n'],
  ] as const) {
    it(`keeps the ${policy} with --duplicates ${policy}`, async () => {
      const table = await builtTable(tempDir(), 't', input, [
        '--key',
        'field:1',
        '--duplicates',
        policy,
      ]);
      expect((await getKeys(table, ['a'])).stdout.toString()).toBe(expected);
      const stat = (await run(manifold, ['table', 'stat', '--json', table])).stdout.toString();
      expect(JSON.parse(stat)).toMatchObject({
        records: 4,
        keys: 2,
        duplicatesSeen: 2,
        duplicates: policy,
      });
    });
  }
});

describe('manifold table build: bad records and usage', () => {
  const failures: {
    name: string;
    input: string;
    args: string[];
    message: RegExp;
    status: number;
  }[] = [
    {
      name: 'a record with no key field',
      input: 'a\tb\tc\nd\te\n',
      args: ['--key', 'field:3', '--field-sep', 'tab'],
      message: /^manifold: .*in\.txt:2: no key field:3 in the record\n$/,
      status: 1,
    },
    {
      name: 'an empty key',
      input: 'a\t\tc\n',
      args: ['--key', 'field:2', '--field-sep', 'tab'],
      message: /^manifold: .*in\.txt:1: the key field:2 is empty\n$/,
      status: 1,
    },
    {
      name: 'a key longer than LMDB takes',
      input: `${'k'.repeat(1979)} v\n`,
      args: ['--key', 'field:1'],
      message:
        /^manifold: .*in\.txt:1: the key field:1 is 1979 bytes, more than LMDB's largest key \(1978 bytes\)\n$/,
      status: 1,
    },
    {
      name: 'a value larger than the record limit',
      input: `k ${'v'.repeat(2000)}\n`,
      args: ['--key', 'field:1', '--max-record', '1K'],
      message: /^manifold: .*in\.txt:1: record is larger than the maximum record size 1 KiB/,
      status: 1,
    },
    {
      name: 'a record that is not JSON',
      input: '{"id":1}\nnope\n',
      args: ['--key', 'json:id'],
      message: /^manifold: .*in\.txt:2: not JSON: /,
      status: 1,
    },
    {
      name: 'no --key',
      input: 'a\n',
      args: [],
      message: /^manifold: required option '--key <spec>' not specified/,
      status: 2,
    },
    {
      // It was accepted, and ignored: the table keyed by the whole record.
      name: '--field-sep with no field:N key or value',
      input: 'a,1\n',
      args: ['--key', 'whole', '--field-sep', ','],
      message:
        /^manifold: --field-sep , splits the fields of --key or --value field:N: it needs one \(--key is whole, --value whole\)\n$/,
      status: 2,
    },
    {
      name: '--shards 0',
      input: 'a\n',
      args: ['--key', 'whole', '--shards', '0'],
      message: /^manifold: --shards 0: give a whole number from 1 to 1024\n$/,
      status: 2,
    },
    {
      name: 'a bad key spec',
      input: 'a\n',
      args: ['--key', 'field:x'],
      message: /^manifold: --key field:x is not one of field:N, json:<dot.path> or whole\n$/,
      status: 2,
    },
    {
      name: 'a --field-sep of two characters, naming the option (was "field separator")',
      input: 'a,1\n',
      args: ['--key', 'field:1', '--field-sep', 'ab'],
      message: /^manifold: --field-sep ab must be one character \(or \\t, \\xHH\)\n$/,
      status: 2,
    },
  ];

  for (const { name, input, args, message, status } of failures) {
    it(`refuses ${name} in one line (exit ${status}), leaving no table`, async () => {
      const dir = tempDir();
      const path = writeInput(dir, 'in.txt', input);
      const result = await buildTable([path, '-o', join(dir, 't.mft'), ...args]);
      expect(result.stderr).toMatch(message);
      expect(result.exitCode).toBe(status);
      expect(readdirSync(dir)).toEqual(['in.txt']);
    });
  }

  it('refuses to replace a folder or a file that is not a table', async () => {
    const dir = tempDir();
    const path = writeInput(dir, 'in.txt', 'a\n');
    const folder = join(dir, 'photos');
    mkdirSync(folder);
    writeInput(folder, 'keep.jpg', 'x');
    const result = await buildTable([path, '--key', 'whole', '-o', folder]);
    expect(result.stderr).toBe(
      `manifold: -o ${folder}: exists and is not a table (no table.json): remove it or name another\n`,
    );
    expect(result.exitCode).toBe(2);
    expect(readdirSync(folder)).toEqual(['keep.jpg']);
    const file = await buildTable([path, '--key', 'whole', '-o', path]);
    expect(file.stderr).toBe(`manifold: -o ${path}: exists and is not a table (a file)\n`);
    expect(file.exitCode).toBe(2);
  });

  // It read the whole input, then failed `cannot write the table in . (ENOTDIR ...)`, exit 1.
  it('refuses a symbolic link to nothing before reading any input', async () => {
    const dir = tempDir();
    const path = writeInput(dir, 'in.txt', 'a\n');
    const link = join(dir, 'dang.mft');
    symlinkSync('nowhere.mft', link);
    const result = await buildTable([path, '--key', 'whole', '-o', link]);
    expect({ exit: result.exitCode, err: result.stderr }).toEqual({
      exit: 2,
      err: `manifold: -o ${link}: a symbolic link to nothing (nowhere.mft): remove it or name another\n`,
    });
  });

  it('refuses an input that does not exist and a target folder that does not exist', async () => {
    const dir = tempDir();
    const missing = await buildTable([join(dir, 'nope'), '--key', 'whole', '-o', join(dir, 't')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe(`manifold: input ${join(dir, 'nope')}: no such file\n`);
    const path = writeInput(dir, 'in.txt', 'a\n');
    const noFolder = await buildTable([path, '--key', 'whole', '-o', join(dir, 'x', 't')]);
    expect(noFolder.exitCode).toBe(2);
    expect(noFolder.stderr).toBe(
      `manifold: -o ${join(dir, 'x', 't')}: no such directory ${join(dir, 'x')}\n`,
    );
    // A file where the folder should be: was `no such directory .../in.txt`, of a file that is.
    const underFile = await buildTable([path, '--key', 'whole', '-o', join(path, 't')]);
    expect({ exitCode: underFile.exitCode, stderr: underFile.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: -o ${join(path, 't')}: ${path} is not a directory\n`,
    });
  });

  it('refuses stdin that is a directory, and says an input it cannot open in words (were an empty table, exit 0, and `input loop: ELOOP`)', async () => {
    const dir = tempDir();
    const target = join(dir, 't.mft');
    const fromFolder = await run('sh', [
      '-c',
      'exec "$0" table build - --key whole -o "$1" < "$2"',
      manifold,
      target,
      dir,
    ]);
    expect({ exitCode: fromFolder.exitCode, stderr: fromFolder.stderr }).toEqual({
      exitCode: 2,
      stderr: 'manifold: stdin is a directory: pipe the table in, or name its files\n',
    });
    symlinkSync('loop', join(dir, 'loop'));
    const looped = await buildTable([join(dir, 'loop'), '--key', 'whole', '-o', target]);
    expect({ exitCode: looped.exitCode, stderr: looped.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: input ${join(dir, 'loop')}: too many symbolic links\n`,
    });
    expect(readdirSync(dir)).toEqual(['loop']);
  });

  it('quotes an empty or spaced -o or input in its line, so that an empty one shows (was "-o : name a new directory")', async () => {
    const dir = tempDir();
    const path = writeInput(dir, 'in.txt', 'a\n');
    const cases: [string[], string][] = [
      [[path, '-o', ''], "-o '': name a new directory for the table"],
      [['', '-o', join(dir, 't.mft')], "input '': no such file"],
      [[join(dir, 'a b'), '-o', join(dir, 't.mft')], `input '${join(dir, 'a b')}': no such file`],
    ];
    for (const [args, line] of cases) {
      const result = await buildTable([...args, '--key', 'whole'], '');
      expect({ args, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        args,
        exitCode: 2,
        stderr: `manifold: ${line}\n`,
      });
    }
    expect(readdirSync(dir)).toEqual(['in.txt']);
    // `t.mft/.` is t.mft, replaced as `t.mft/` is: it failed at the end (EBUSY), all read.
    for (const output of [join(dir, 't.mft'), join(dir, 't.mft/.'), `${join(dir, 't.mft')}/./`]) {
      const built = await buildTable([path, '--key', 'whole', '-o', output]);
      expect([output, built.exitCode]).toEqual([output, 0]);
    }
    // `t.mft/..` is the folder itself (named so): refused before anything is read.
    const above = await buildTable([path, '--key', 'whole', '-o', `${join(dir, 't.mft')}/..`]);
    expect([above.exitCode, above.stderr]).toEqual([
      2,
      `manifold: -o ${dir}: exists and is not a table (no table.json): remove it or name another\n`,
    ]);
    rmSync(join(dir, 't.mft'), { recursive: true });
    const spaced = await buildTable([path, '--key', 'whole', '-o', join(dir, 'my t.mft')]);
    expect(spaced.stderr).toMatch(/^manifold: built '[^']*\/my t\.mft': 1 record, /);
  });

  it('refuses stdin or a file named twice, by any name, in one line (exit 2), reading nothing', async () => {
    const dir = tempDir();
    const path = writeInput(dir, 'in.txt', 'a 1\nb 2\n');
    const target = join(dir, 't.mft');
    const cases: [string[], string][] = [
      [['-', '-'], 'inputs - and -: both are stdin, which can be read once: name it once'],
      [
        ['-', '/dev/stdin'],
        'inputs - and /dev/stdin: both are stdin, which can be read once: name it once',
      ],
      [
        [path, '-', `${dir}/./in.txt`],
        `inputs ${path} and ${`${dir}/./in.txt`}: the same file, whose records would be read twice: name it once`,
      ],
    ];
    for (const [inputs, message] of cases) {
      const result = await buildTable([...inputs, '--key', 'field:1', '-o', target], 'c 3\n');
      expect(result.stderr).toBe(`manifold: ${message}\n`);
      expect(result.exitCode).toBe(2);
      expect(readdirSync(dir)).toEqual(['in.txt']);
    }
    // Stdin given as a file (a redirect) and the same file by name: one file, twice.
    const redirected = await run('sh', [
      '-c',
      `"$0" table build - "$1" --key field:1 -o "$2" < "$1"`,
      manifold,
      path,
      target,
    ]);
    expect(redirected.stderr).toBe(
      `manifold: inputs - and ${path}: the same file, whose records would be read twice: name it once\n`,
    );
    expect(redirected.exitCode).toBe(2);
  });

  it('a folder it cannot write in: one line naming it and the system error, exit 1', async () => {
    // /proc takes no new folder, even from root (whom a folder's permissions do not stop).
    const path = writeInput(tempDir(), 'in.txt', 'a\n');
    const result = await buildTable([path, '--key', 'whole', '-o', '/proc/t.mft']);
    expect(result.stderr).toBe(
      'manifold: -o /proc/t.mft: cannot write the table in /proc (ENOENT: no such file or directory)\n',
    );
    expect(result.exitCode).toBe(1);
  });
});
