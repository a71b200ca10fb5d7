import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openTable } from '../../filters/tables/index.js';
import { resolveBuildOptions } from '../../orchestrator/cli/table-build-run.js';
import { buildTable as buildTableInProcess } from '../../orchestrator/tables/build.js';
import { sortByKey } from '../../orchestrator/tables/key-sort.js';
import { Run } from '../../orchestrator/tables/run.js';
import { buildTable, getKeys, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

/** Keys that stress byte order: shared prefixes, a key that begins another, 0x00 and 0xff. */
const keyBytes = fc.uint8Array({ minLength: 1, maxLength: 6 }).map((bytes) => {
  // Few distinct first bytes, so keys share prefixes and repeat.
  const key = Uint8Array.from(bytes, (b, i) => (i === 0 ? [0, 97, 98, 255][b % 4]! : b % 5));
  return key;
});

/**
 * Keys that share a prefix (as `u00012345` keys do) and end around the four bytes after it that
 * the sort packs into numbers: some inside them, some at them, some past them, with 0x00 bytes
 * that read as a key's end would.
 */
const prefixedKeys = fc
  .tuple(
    fc.uint8Array({ minLength: 0, maxLength: 3 }),
    // Enough keys, and few enough bytes, for groups past the insertion sort's 48.
    fc.array(fc.uint8Array({ maxLength: 7 }), { maxLength: 800, size: 'max' }),
  )
  .map(([prefix, tails]) =>
    tails.map((tail) =>
      Buffer.concat([prefix, Uint8Array.from(tail, (b) => [0, 0, 1, 255][b % 4]!)]),
    ),
  );

/** sortByKey's answer for `keys` against Buffer.compare's order, stable, and its repeats. */
function checkSort(keys: Uint8Array[]): void {
  const run = new Run(2 ** 20);
  for (const [i, key] of keys.entries()) run.add(key, Uint8Array.of(i & 255), 0, i);
  const { order, repeats } = sortByKey(run, run.count);
  const expected = keys
    .map((key, i) => ({ key: Buffer.from(key), i }))
    .sort((a, b) => Buffer.compare(a.key, b.key) || a.i - b.i);
  expect(Array.from(order)).toEqual(expected.map(({ i }) => i));
  expect(Array.from(repeats)).toEqual(
    expected.map((entry, at) =>
      at > 0 && Buffer.compare(entry.key, expected[at - 1]!.key) === 0 ? 1 : 0,
    ),
  );
}

/**
 * Long keys from three byte values, many alike for their first dozen bytes: groups that tie
 * after one packed pass and the next (5 to 7 bytes a pass), ending inside, at and past each.
 */
const longKeys = fc.array(
  fc
    .uint8Array({ minLength: 0, maxLength: 24 })
    .map((bytes) =>
      Uint8Array.from(bytes, (b, i) => (i < 12 ? [0, 0, 0, 7][b % 4]! : [0, 1, 255][b % 3]!)),
    ),
  { minLength: 1, maxLength: 2000, size: 'max' },
);

describe('sortByKey (the build sorts records by key before LMDB gets them)', () => {
  it('orders keys as LMDB does, equal keys in input order, and marks the repeats', () => {
    fc.assert(fc.property(fc.array(keyBytes, { maxLength: 400, size: 'max' }), checkSort), {
      numRuns: 300,
    });
  });

  it('the same for keys with a shared prefix, ending before, at and past the four bytes after it', () => {
    fc.assert(fc.property(prefixedKeys, checkSort), { numRuns: 200 });
  });

  it('the same for long keys alike over several packed passes', () => {
    fc.assert(fc.property(longKeys, checkSort), { numRuns: 100 });
  });

  it('the same for many keys like u00012345, in groups larger than an insertion sort takes', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) =>
      Buffer.from(`u${String((i * 7919) % 5_000).padStart(8, '0')}${i % 7 === 0 ? '' : 'x'}`),
    );
    checkSort(keys);
  });
});

describe('Run (the records a build holds)', () => {
  it('copies a key and a value of one record as one span (a key inside its value once), parts far apart or from elsewhere each on its own, and gives back both', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.uint8Array({ minLength: 1, maxLength: 60 }),
            fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()),
            fc.boolean(),
          ),
          { maxLength: 50 },
        ),
        (rows) => {
          const run = new Run(2 ** 20);
          const expected: [Buffer, Buffer][] = [];
          let bytes = 0;
          for (const [i, [bytesOfRecord, [a, b, c, d], span]] of rows.entries()) {
            // A record read into a larger buffer, as the input's reads are.
            const read = Buffer.concat([Buffer.from('xx'), bytesOfRecord, Buffer.from('yy')]);
            const record = read.subarray(2, 2 + bytesOfRecord.length);
            const keyAt = a % record.length;
            const keyLength = 1 + (b % (record.length - keyAt));
            const valueAt = c % (record.length + 1);
            const valueLength = d % (record.length - valueAt + 1);
            const key = record.subarray(keyAt, keyAt + keyLength);
            const value = record.subarray(valueAt, valueAt + valueLength);
            if (span) {
              run.addParts(record, { key, value, keyAt, valueAt }, 0, i);
              const width =
                Math.max(keyAt + keyLength, valueAt + valueLength) - Math.min(keyAt, valueAt);
              bytes += width > keyLength + valueLength + 16 ? keyLength + valueLength : width;
            } else {
              run.add(Buffer.from(key), Buffer.from(value), 0, i);
              bytes += keyLength + valueLength;
            }
            expected.push([Buffer.from(key), Buffer.from(value)]);
          }
          expect(run.bytes).toBe(bytes);
          for (const [i, [key, value]] of expected.entries()) {
            expect(Buffer.from(run.key(i))).toEqual(key);
            expect(Buffer.from(run.value(i))).toEqual(value);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('manifold table build: reads of the input read into again', () => {
  // The build reads 1 MiB at a time into memory it reads into again once no unfinished record
  // lies in it: records that run across reads, from a file and from a pipe, must come out whole.
  it('stores every record of an input whose records run across its reads, some across several', async () => {
    const dir = tempDir();
    const random = fc.sample(fc.integer({ min: 0, max: 400 }), { numRuns: 40_000, seed: 7 });
    // Some records longer than a read: one read's memory holds the start of an unfinished one.
    const values = random.map((n, i) => `${i}:${'v'.repeat(i % 9_999 === 5 ? 1_500_000 + n : n)}`);
    const text = values.map((value, i) => `k${i}\t${value}\n`).join('');
    expect(text.length).toBeGreaterThan(9 * 2 ** 20);
    const file = writeInput(dir, 'in.tsv', text);
    const args = ['--key', 'field:1', '--value', 'field:2', '--field-sep', 'tab'];
    for (const [name, input] of [
      ['file', file],
      ['pipe', '-'],
    ] as const) {
      const table = join(dir, `${name}.mft`);
      const result = await buildTable([input, ...args, '-o', table], name === 'pipe' ? text : '');
      expect(result.exitCode, result.stderr).toBe(0);
      const opened = openTable(table);
      try {
        expect(opened.meta.keys).toBe(values.length);
        for (const [i, value] of values.entries()) {
          expect(opened.getString(`k${i}`)).toBe(value);
        }
      } finally {
        opened.close();
      }
    }
  }, 60_000);
});

describe('manifold table build --memory: a table larger than the build memory', () => {
  /** Binary records: a key, a TAB, a value; keys of bytes 0x00-0x04 never hold TAB or newline. */
  const records = fc.array(
    fc.tuple(
      keyBytes,
      fc.uint8Array({ maxLength: 8 }).map((v) => v.map((b) => 65 + (b % 26))),
    ),
    // Up to 60 records (fast-check's default size would make ten at most): keys repeat, and a
    // key's records lie in different runs under --memory 20 (a record or two a run).
    { minLength: 1, maxLength: 60, size: 'max' },
  );

  // Each case builds in this process, by the function `manifold table build` calls with the
  // options as it resolves them: 24 builds as processes were 24 Node start-ups, 66-110 s under
  // load (3 of 40 runs past the 120 s limit), for builds of a few milliseconds each. The command line's --memory
  // is checked by the cases below, which run `manifold table build` itself.
  it('stores the same table in one run and in many, under every duplicates policy', async () => {
    const dir = tempDir();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(records, fc.constantFrom('first', 'last', 'all'), async (rows, policy) => {
        round++;
        const input = writeInput(
          dir,
          `in-${round}.tsv`,
          Buffer.concat(
            rows.flatMap(([key, value]) => [key, Buffer.from('\t'), value, Buffer.from('\n')]),
          ),
        );
        const tables = ['2G', '20'].map((memory) => join(dir, `t-${round}-${memory}.mft`));
        for (const [i, memory] of ['2G', '20'].entries()) {
          const options = resolveBuildOptions([input], {
            key: 'field:1',
            value: 'field:2',
            fieldSep: 'tab',
            duplicates: policy,
            shards: '1',
            maxRecord: '64M',
            memory,
            output: tables[i]!,
          });
          expect(options.memory).toBe(memory === '20' ? 20 : 2 * 1024 ** 3);
          await buildTableInProcess(options);
        }
        const model = new Map<string, Buffer[]>();
        for (const [key, value] of rows) {
          const text = Buffer.from(key).toString('latin1');
          model.set(text, [...(model.get(text) ?? []), Buffer.from(value)]);
        }
        for (const path of tables) {
          const table = openTable(path);
          try {
            expect(table.meta.keys).toBe(model.size);
            for (const [text, values] of model) {
              const key = Buffer.from(text, 'latin1');
              const expected =
                policy === 'all' ? values : [policy === 'first' ? values[0]! : values.at(-1)!];
              expect(table.getAll(key).map((v) => Buffer.from(v))).toEqual(expected);
            }
          } finally {
            table.close();
          }
        }
      }),
      { numRuns: 30 },
    );
  }, 120_000);

  it('names both records of a duplicate in different runs (reading the file again for the first)', async () => {
    const dir = tempDir();
    const path = writeInput(dir, 'in.txt', 'a 1\nb 2\na 3\n');
    const result = await buildTable([
      path,
      '--key',
      'field:1',
      '--memory',
      '1',
      '-o',
      join(dir, 't.mft'),
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `manifold: ${path}:3: duplicate key "a", first at ${path}:1 (--duplicates first, last or all take it)\n`,
    );
    const piped = await buildTable(
      ['-', '--key', 'field:1', '--memory', '1', '-o', join(dir, 'u.mft')],
      'a 1\nb 2\na 3\n',
    );
    expect(piped.stderr).toMatch(
      /^manifold: stdin:3: duplicate key "a", first at an earlier record of stdin/,
    );
  });

  it('rejects a --memory that is not a size', async () => {
    const dir = tempDir();
    const path = writeInput(dir, 'in.txt', 'a 1\n');
    const result = await buildTable([
      path,
      '--key',
      'field:1',
      '--memory',
      'lots',
      '-o',
      join(dir, 't.mft'),
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^manifold: --memory/);
    expect((await getKeys(join(dir, 't.mft'), ['a'])).exitCode).not.toBe(0);
  });
});
