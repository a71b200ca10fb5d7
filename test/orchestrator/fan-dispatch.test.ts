import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type ExpectStatic, it } from 'vitest';
import { bin, run } from '../helpers.js';
import { randoms, variedLines, WORDS } from '../support/data.js';
import { byteDiff, differences, SAME, sameBytes } from '../support/diff.js';
import { C, fan, OK, ok, readStats, recordsOf, statsOf, untag } from '../support/fan-run.js';
import { lineBytes } from '../support/lines.js';
import { fileTempDir } from '../support/temp.js';

// The dispatches of `manifold fan` end to end: by readiness, in turn, by a hash of a key, and to
// every worker; real worker processes on real pipes, generated data, the output checked against
// the input or against one worker run alone.

// Tests here run concurrently: their folders go when the file is done.
const tempDir = () => fileTempDir('manifold-fan-dispatch-');

describe.concurrent('manifold fan: dispatch by readiness, merge as ready (the defaults)', () => {
  const lines = variedLines(60_000, 1);
  const input = lineBytes(lines);

  it('gives back the multiset of input lines, whole, over hundreds of blocks', async ({
    expect,
  }) => {
    expect(input.length).toBeGreaterThan(2 * 1024 * 1024);
    const result = await fan(['-j', '4', '--block', '4K', '--stats', '-', '--', 'cat'], input);
    expect(result.exitCode).toBe(0);
    const stats = statsOf(result);
    expect(stats.totals.blocks).toBeGreaterThan(400);
    expect(stats.workers.reduce((sum, w) => sum + w.blocks, 0)).toBe(stats.totals.blocks);
    const out = recordsOf(result.stdout);
    // Records of different workers never interleave inside a record: each is an input line.
    const known = new Set(recordsOf(input));
    expect(out.filter((line) => !known.has(line)).slice(0, 3)).toEqual([]);
    expect(differences(out, recordsOf(input))).toEqual(SAME);
  });
});

describe.concurrent('manifold fan --dispatch round-robin', () => {
  it('gives blocks to workers in turn: counts differ by at most one', async ({ expect }) => {
    const lines = Array.from({ length: 6_000 }, (_, i) => `${i} ${'r'.repeat(i % 37)}`);
    const input = lineBytes(lines);
    const dir = tempDir();
    const result = await fan(
      [
        '-j',
        '3',
        '--block',
        '4K',
        '--dispatch',
        'round-robin',
        '--tag',
        '--stats',
        join(dir, 'stats.json'),
        '--',
        'cat',
      ],
      input,
    );
    expect(ok(result)).toEqual(OK);
    const stats = readStats(join(dir, 'stats.json'));
    const counts = stats.workers.map((w) => w.blocks);
    expect(stats.totals.blocks).toBeGreaterThan(20);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    // In input order, the runs of records of one worker are the blocks: 1, 2, 3, 1, 2, 3...
    const index = new Map(lines.map((line, i) => [line, i]));
    const workerOf = new Array<number>(lines.length).fill(0);
    for (const line of recordsOf(result.stdout)) {
      const { worker, record } = untag(line);
      workerOf[index.get(record)!] = worker;
    }
    const runs = workerOf.filter((worker, i) => i === 0 || worker !== workerOf[i - 1]);
    expect(runs.length).toBe(stats.totals.blocks);
    expect(runs.filter((worker, k) => worker !== (k % 3) + 1)).toEqual([]);
  });
});

describe.concurrent('manifold fan --dispatch hash', () => {
  /** Which workers each key went to, from tagged output; and the untagged records. */
  function keysByWorker(stdout: Buffer, keyOf: (record: string) => string) {
    const workers = new Map<string, Set<number>>();
    const records: string[] = [];
    for (const line of recordsOf(stdout)) {
      const { worker, record } = untag(line);
      records.push(record);
      const key = keyOf(record);
      workers.set(key, (workers.get(key) ?? new Set()).add(worker));
    }
    const split = [...workers].filter(([, set]) => set.size !== 1).map(([key]) => key);
    const assignment = Object.fromEntries([...workers].map(([key, set]) => [key, [...set]]));
    const used = new Set([...workers.values()].flatMap((set) => [...set]));
    return { split, assignment, used: used.size, records };
  }

  async function checkHash(
    expect: ExpectStatic,
    args: string[],
    input: Buffer,
    keyOf: (record: string) => string,
  ) {
    const first = await fan(
      ['-j', '4', '--block', '4K', '--dispatch', 'hash', '--tag', ...args, '--', 'cat'],
      input,
    );
    expect(ok(first)).toEqual(OK);
    const one = keysByWorker(first.stdout, keyOf);
    expect(one.split).toEqual([]);
    expect(one.used).toBe(4);
    expect(differences(one.records, recordsOf(input))).toEqual(SAME);
    const second = await fan(
      ['-j', '4', '--block', '4K', '--dispatch', 'hash', '--tag', ...args, '--', 'cat'],
      input,
    );
    expect(keysByWorker(second.stdout, keyOf).assignment).toEqual(one.assignment);
  }

  it('--key field:2 (runs of blanks) sends each key to one worker, the same on every run', async ({
    expect,
  }) => {
    const pick = randoms(5);
    const blanks = [' ', '\t', ' \t ', '   '];
    const lines = Array.from({ length: 10_000 }, (_, i) => {
      const pad = ['', ' ', '\t', '  '][pick(4)]!;
      const key = pick(30) === 0 ? '' : `k${pick(40)}`;
      return `${pad}${WORDS[pick(WORDS.length)]!.replace('\t', '_')}${blanks[pick(4)]}${key}${blanks[pick(4)]}${i}`;
    });
    const field2 = (line: string) => line.replace(/^[ \t]+/, '').split(/[ \t]+/)[1] ?? '';
    await checkHash(expect, ['--key', 'field:2'], lineBytes(lines), field2);
  });

  it('--field-sep , --key field:3 counts empty fields, a missing one is empty', async ({
    expect,
  }) => {
    const pick = randoms(6);
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      pick(25) === 0
        ? `${i},short`
        : `${i},${pick(3) === 0 ? '' : 'b'},${pick(8) === 0 ? '' : `c${pick(50)}`},d ${i}`,
    );
    const field3 = (line: string) => line.split(',')[2] ?? '';
    await checkHash(expect, ['--field-sep', ',', '--key', 'field:3'], lineBytes(lines), field3);
  });

  it('--split ndjson --key json:user.id groups by a nested value', async ({ expect }) => {
    const pick = randoms(7);
    const lines = Array.from({ length: 8_000 }, (_, n) => {
      switch (pick(10)) {
        case 0:
          return JSON.stringify({ n });
        case 1:
          return JSON.stringify({ n, user: { name: 'no id' } });
        case 2:
          return JSON.stringify({ n, user: { id: String(pick(30)) } });
        default:
          return JSON.stringify({ n, user: { id: pick(30), tags: ['a', n] } });
      }
    });
    const userId = (line: string) => {
      const id = (JSON.parse(line) as { user?: { id?: unknown } }).user?.id;
      return id === undefined ? '' : typeof id === 'string' ? id : JSON.stringify(id);
    };
    await checkHash(
      expect,
      ['--split', 'ndjson', '--key', 'json:user.id'],
      lineBytes(lines),
      userId,
    );
  });

  it('--key json: passes a blank line on with an empty key, ndjson or lines; a record that is not JSON is named by its number (a blank line stopped the fan: "manifold: invalid JSON", no record)', async ({
    expect,
  }) => {
    const input = '{"user":"a"}\n\n{"user":"b"}\n  \n';
    const args = ['-j', '2', '--dispatch', 'hash', '--key', 'json:user', '--tag'];
    const result = await fan(['--split', 'ndjson', ...args, '--', 'cat'], input);
    expect(ok(result)).toEqual(OK);
    const lines = recordsOf(result.stdout).map(untag);
    expect(lines.map((line) => line.record).sort()).toEqual([
      '',
      '  ',
      '{"user":"a"}',
      '{"user":"b"}',
    ]);
    // Both blank lines have the empty key: one worker.
    const blanks = lines.filter((line) => line.record.trim() === '');
    expect(blanks[0]!.worker).toBe(blanks[1]!.worker);
    // The fan's default framing, lines, the same: a blank line has no key, whatever the framing.
    const byLines = await fan([...args, '--', 'cat'], input);
    expect(ok(byLines)).toEqual(OK);
    expect(recordsOf(byLines.stdout).length).toBe(4);
    const lines2 = await fan([...args, '--', 'cat'], '{"user":"a"}\nnope\n');
    expect(lines2.stderr).toBe(
      'manifold: stdin:2: invalid JSON: Unexpected token \'o\', "nope" is not valid JSON\n',
    );
    expect(lines2.exitCode).toBe(1);
  });

  const words = (() => {
    const pick = randoms(8);
    return lineBytes(
      Array.from({ length: 30_000 }, (_, i) => `w${pick(300)}${pick(2) ? '' : 'x'} ${i % 17}`),
    );
  })();

  it('map-reduce: mf-reduce count per key, merged sorted, equals mf-reduce run alone', async ({
    expect,
  }) => {
    const reduce = [bin('mf-reduce'), '--key', 'field:1', 'count'];
    const alone = await run(reduce[0]!, reduce.slice(1), words);
    expect(alone.exitCode).toBe(0);
    const args = ['-j', '4', '--block', '4K', '--dispatch', 'hash', '--key', 'field:1'];
    const sorted = await fan([...args, '--merge', 'sorted', '--', ...reduce], words);
    expect(ok(sorted)).toEqual(OK);
    expect(byteDiff(sorted.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
    const ready = await fan([...args, '--', ...reduce], words);
    expect(ok(ready)).toEqual(OK);
    expect(differences(recordsOf(ready.stdout), recordsOf(alone.stdout))).toEqual(SAME);
  });

  // A worker per block was chosen for --retries: mf-reduce then counted each block's part of a
  // key on its own, one partial count per block, exit 0 (QA).
  it.for([
    ['hash', '--retries', '1'],
    ['hash', '--joblog', '-'],
    ['broadcast', '--timeout', '5s'],
  ])(
    '--dispatch %s with %s and no way said to tie output to blocks: refused',
    async ([dispatch, ...more], { expect }) => {
      const reduce = [bin('mf-reduce'), '--key', 'field:1', 'count'];
      const result = await fan(
        ['-j', '2', '--dispatch', dispatch!, ...more, '--', ...reduce],
        words,
      );
      expect([result.exitCode, result.stdout.toString()]).toEqual([2, '']);
      expect(result.stderr).toBe(
        `manifold: ${more[0]} needs each output tied to its block, and under --dispatch ${dispatch} a fresh worker per block would see that block alone, not its worker's share of the stream: give --protocol manifold (an SDK filter) or --one-to-one, whose workers stay, or --per-block for a worker per block (see 'manifold fan --help')\n`,
      );
      // Said, each works: the SDK filter under the protocol counts every record of a key once.
      const alone = await run(reduce[0]!, reduce.slice(1), words);
      const said = ['--protocol', 'manifold', '--merge', 'sorted', '--key', 'field:1'];
      const tied = await fan(
        ['-j', '2', '--dispatch', dispatch!, ...more, ...said, '--', ...reduce],
        words,
      );
      expect(tied.exitCode).toBe(0);
      if (dispatch === 'hash') expect(tied.stdout.toString()).toBe(alone.stdout.toString());
    },
  );

  it("--shell 'sort | uniq -c' on hashed lines equals it run alone", async ({ expect }) => {
    const alone = await run('sh', ['-c', 'sort | uniq -c'], words, C);
    const result = await fan(
      ['-j', '3', '--block', '4K', '--dispatch', 'hash', '--shell', '--', 'sort | uniq -c'],
      words,
      C,
    );
    expect(ok(result)).toEqual(OK);
    expect(recordsOf(result.stdout).length).toBeGreaterThan(300);
    expect(differences(recordsOf(result.stdout), recordsOf(alone.stdout))).toEqual(SAME);
  });
});

describe.concurrent('manifold fan --dispatch broadcast', () => {
  it('gives every worker the whole input, in order', async ({ expect }) => {
    const input = lineBytes(variedLines(3_000, 9));
    const result = await fan(
      ['-j', '3', '--block', '4K', '--dispatch', 'broadcast', '--tag', '--', 'cat'],
      input,
    );
    expect(ok(result)).toEqual(OK);
    const seen = new Map<number, string[]>();
    for (const line of recordsOf(result.stdout)) {
      const { worker, record } = untag(line);
      seen.set(worker, [...(seen.get(worker) ?? []), record]);
    }
    expect([...seen.keys()].sort()).toEqual([1, 2, 3]);
    for (const records of seen.values()) {
      const got = Buffer.from(`${records.join('\n')}\n`, 'latin1');
      expect(byteDiff(got, input)).toEqual(sameBytes(input));
    }
  });
});

describe('manifold fan --dispatch broadcast, of more input than the memory read into', () => {
  // The memory the input is read into (a MiB at a time) is read into again once its bytes are
  // in a worker: a block given to every worker must wait for the last of them, or the next
  // read overwrites it under a worker still to write it (each copy then differs).
  const input = lineBytes(variedLines(600_000, 23));

  /** Each worker's records, by its --tag, each compared with the whole input. */
  function everyCopyWhole(expect: ExpectStatic, stdout: Buffer): void {
    const seen = new Map<number, string[]>();
    for (const line of recordsOf(stdout)) {
      const { worker, record } = untag(line);
      let records = seen.get(worker);
      if (records === undefined) {
        records = [];
        seen.set(worker, records);
      }
      records.push(record);
    }
    expect([...seen.keys()].sort()).toEqual([1, 2]);
    for (const records of seen.values()) {
      const got = Buffer.from(`${records.join('\n')}\n`, 'latin1');
      expect(byteDiff(got, input)).toEqual(sameBytes(input));
    }
  }

  it('from a pipe: every worker gets every byte', async ({ expect }) => {
    expect(input.length).toBeGreaterThan(24 * 1024 * 1024);
    const result = await fan(['-j', '2', '--dispatch', 'broadcast', '--tag', '--', 'cat'], input);
    expect(ok(result)).toEqual(OK);
    everyCopyWhole(expect, result.stdout);
  });

  it('from a file (read as a stream): every worker gets every byte', async ({ expect }) => {
    const file = join(tempDir(), 'input');
    writeFileSync(file, input);
    const args = ['-j', '2', '--dispatch', 'broadcast', '--tag', '--input', file, '--', 'cat'];
    const result = await fan(args, Buffer.alloc(0));
    expect(ok(result)).toEqual(OK);
    everyCopyWhole(expect, result.stdout);
  });
});

describe.concurrent('manifold fan with many workers', () => {
  it('-j 64 with small blocks: complete output, one process per worker', async ({ expect }) => {
    const input = lineBytes(variedLines(10_000, 18));
    const result = await fan(['-j', '64', '--block', '1K', '--stats', '-', '--', 'cat'], input);
    expect(result.exitCode).toBe(0);
    expect(differences(recordsOf(result.stdout), recordsOf(input))).toEqual(SAME);
    const stats = statsOf(result);
    expect(stats.workers.length).toBe(64);
    expect(stats.workers.filter((w) => w.pids.length !== 1)).toEqual([]);
    expect(stats.workers.reduce((sum, w) => sum + w.blocks, 0)).toBe(stats.totals.blocks);
  });

  it('-j 64 --merge ordered with small blocks gives the input back exactly', async ({ expect }) => {
    const input = lineBytes(variedLines(1_500, 19));
    const result = await fan(
      ['-j', '64', '--block', '1K', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
  });
});
