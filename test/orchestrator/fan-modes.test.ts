import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from 'execa';
import { afterAll, describe, type ExpectStatic, it } from 'vitest';
import { bin, fixture, manifold, type Result, run } from '../helpers.js';

// The modes of `manifold fan` end to end: real worker processes on real pipes, deterministic
// generated data, and the output checked against the input or against one worker run alone.

// Data: a small LCG, so every run sees the same bytes.

function randoms(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * n);
  };
}

const WORDS = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'café',
  'naïve',
  'über',
  '日本語',
  'x',
  '42',
  '-7',
  '3.14',
  'a|b',
  'tab\there',
  'Zulu',
  'zulu',
];

/** Text lines of varied length and content: mostly unique, some empty, some repeated. */
function variedLines(count: number, seed: number): string[] {
  const pick = randoms(seed);
  return Array.from({ length: count }, (_, i) => {
    const r = pick(20);
    if (r === 0) return '';
    if (r === 1) return 'the same line again';
    const words = Array.from({ length: pick(14) }, () => WORDS[pick(WORDS.length)]!);
    return [`${i}`, ...words].join(pick(2) === 0 ? ' ' : '  ');
  });
}

const joinLines = (lines: string[]) => Buffer.from(lines.map((line) => `${line}\n`).join(''));

/** Random bytes, none of them in `avoid`. */
function bytes(pick: (n: number) => number, length: number, avoid: number[] = []): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    let byte = pick(256);
    while (avoid.includes(byte)) byte = pick(256);
    out[i] = byte;
  }
  return out;
}

function frames(payloads: Buffer[]): Buffer {
  return Buffer.concat(
    payloads.flatMap((payload) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(payload.length);
      return [header, payload];
    }),
  );
}

function unframe(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 4 <= data.length; ) {
    const length = data.readUInt32BE(at);
    out.push(data.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

/** The records of delimited bytes, as latin1 strings (one char per byte, sorted in byte order). */
function recordsOf(data: Buffer, delimiter = '\n'): string[] {
  if (data.length === 0) return [];
  const records = data.toString('latin1').split(Buffer.from(delimiter).toString('latin1'));
  if (records.at(-1) === '') records.pop();
  return records;
}

/** How two lists differ as multisets: counts and a few examples of what is missing or extra. */
function multisetDiff(actual: string[], expected: string[]) {
  const counts = new Map<string, number>();
  for (const item of expected) counts.set(item, (counts.get(item) ?? 0) + 1);
  const extra: string[] = [];
  for (const item of actual) {
    const left = counts.get(item) ?? 0;
    if (left === 0) extra.push(item);
    else counts.set(item, left - 1);
  }
  const missing = [...counts].flatMap(([item, n]) => Array<string>(n).fill(item));
  const show = (items: string[]) =>
    items.slice(0, 3).map((item) => JSON.stringify(item.slice(0, 60)));
  return {
    missing: missing.length,
    extra: extra.length,
    examples: [...show(missing), ...show(extra)],
  };
}
const SAME = { missing: 0, extra: 0, examples: [] };

/** Where two byte strings first differ, with their lengths: equal means {-1, n, n}. */
function byteDiff(actual: Buffer, expected: Buffer) {
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  const firstDiff = at === actual.length && at === expected.length ? -1 : at;
  return { firstDiff, length: actual.length, expectedLength: expected.length };
}
const sameBytes = (expected: Buffer) => ({
  firstDiff: -1,
  length: expected.length,
  expectedLength: expected.length,
});

// Running manifold fan.

const fan = (args: string[], input: string | Uint8Array = '', options: Options = {}) =>
  run(manifold, ['fan', ...args], input, options);
const C = { env: { LC_ALL: 'C' } };

/** A successful run's outcome, compact, for one `toEqual`: exit 0 and nothing on stderr. */
const ok = (result: Result) => ({ exitCode: result.exitCode, stderr: result.stderr });
const OK = { exitCode: 0, stderr: '' };

interface WorkerStats {
  worker: number;
  pids: number[];
  blocks: number;
  recordsIn: number;
  recordsOut: number;
  exits: { pid: number; exitCode: number | null; signal: string | null }[];
}
interface StatsDoc {
  status: number;
  totals: { blocks: number; recordsIn: number; recordsOut: number };
  workers: WorkerStats[];
}
const statsOf = (result: Result): StatsDoc => JSON.parse(result.stderr) as StatsDoc;

/** Splits `<worker>\t<record>` lines into the worker number and the record. */
function untag(line: string): { worker: number; record: string } {
  const tab = line.indexOf('\t');
  return { worker: tab > 0 ? Number(line.slice(0, tab)) : Number.NaN, record: line.slice(tab + 1) };
}

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fan-modes-'));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const oneLine = /^manifold: [^\n]+\n$/;

describe.concurrent('manifold fan: dispatch by readiness, merge as ready (the defaults)', () => {
  const lines = variedLines(60_000, 1);
  const input = joinLines(lines);

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
    expect(multisetDiff(out, recordsOf(input))).toEqual(SAME);
  });
});

describe.concurrent('manifold fan --merge ordered', () => {
  const small = joinLines(variedLines(4_000, 2));
  const large = joinLines(variedLines(25_000, 3));

  it('--per-block gives the input back byte for byte, one process per block', async ({
    expect,
  }) => {
    const result = await fan(
      [
        '-j',
        '3',
        '--block',
        '4K',
        '--merge',
        'ordered',
        '--per-block',
        '--stats',
        '-',
        '--',
        'cat',
      ],
      small,
    );
    expect(byteDiff(result.stdout, small)).toEqual(sameBytes(small));
    const stats = statsOf(result);
    expect(stats.status).toBe(0);
    expect(stats.totals.blocks).toBeGreaterThan(30);
    for (const worker of stats.workers) expect(worker.pids.length).toBe(worker.blocks);
    expect(stats.workers.reduce((sum, w) => sum + w.pids.length, 0)).toBe(stats.totals.blocks);
  });

  it('without a way named, runs a process per block and gives the input back exactly', async ({
    expect,
  }) => {
    const result = await fan(
      ['-j', '3', '--block', '4K', '--merge', 'ordered', '--stats', '-', '--', 'cat'],
      small,
    );
    expect(byteDiff(result.stdout, small)).toEqual(sameBytes(small));
    const stats = statsOf(result);
    expect(stats.status).toBe(0);
    expect(stats.workers.reduce((sum, w) => sum + w.pids.length, 0)).toBe(stats.totals.blocks);
  });

  it('--one-to-one with cat: byte for byte, one persistent process per worker', async ({
    expect,
  }) => {
    const result = await fan(
      [
        '-j',
        '3',
        '--block',
        '8K',
        '--merge',
        'ordered',
        '--one-to-one',
        '--stats',
        '-',
        '--',
        'cat',
      ],
      large,
    );
    expect(byteDiff(result.stdout, large)).toEqual(sameBytes(large));
    const stats = statsOf(result);
    expect(stats.status).toBe(0);
    expect(stats.totals.blocks).toBeGreaterThan(100);
    for (const worker of stats.workers) {
      expect(worker.pids.length).toBe(1);
      expect(worker.exits).toEqual([{ pid: worker.pids[0], exitCode: 0, signal: null }]);
    }
  });

  it('--one-to-one with awk toupper equals awk run alone', async ({ expect }) => {
    const ascii = joinLines(variedLines(25_000, 4).map((line) => line.replace(/[^ -~]/g, 'q')));
    const awk = ['awk', '{print toupper($0)}'];
    const alone = await run(awk[0]!, awk.slice(1), ascii);
    const result = await fan(
      ['-j', '3', '--block', '16K', '--merge', 'ordered', '--one-to-one', '--', ...awk],
      ascii,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
  });

  it('--one-to-one with awk does not hang when blocks are small', async ({ expect }) => {
    // awk holds its output in a buffer while it can read more: all blocks in the reorder window
    // together may be smaller than that buffer.
    const ascii = joinLines(Array.from({ length: 20_000 }, (_, i) => `line ${i}`));
    const result = await fan(
      ['-j', '3', '--block', '1K', '--merge', 'ordered', '--one-to-one', '--', 'awk', '{print}'],
      ascii,
      { timeout: 8_000 },
    );
    expect({ ...ok(result), signal: result.signal }).toEqual({ ...OK, signal: undefined });
    expect(byteDiff(result.stdout, ascii)).toEqual(sameBytes(ascii));
  });

  it('--protocol manifold with mf-map equals mf-map run alone, one process per worker', async ({
    expect,
  }) => {
    const alone = await run(bin('mf-map'), ['r.toUpperCase()'], large);
    expect(alone.exitCode).toBe(0);
    const result = await fan(
      [
        '-j',
        '3',
        '--block',
        '16K',
        '--merge',
        'ordered',
        '--protocol',
        'manifold',
        '--stats',
        '-',
        '--',
        bin('mf-map'),
        'r.toUpperCase()',
      ],
      large,
    );
    expect(byteDiff(result.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
    const stats = statsOf(result);
    expect(stats.status).toBe(0);
    expect(stats.totals.blocks).toBeGreaterThan(50);
    for (const worker of stats.workers) {
      expect(worker.pids.length).toBe(1);
      expect(worker.exits.map((exit) => exit.exitCode)).toEqual([0]);
    }
  });

  it('--protocol manifold with mf-filter equals mf-filter run alone', async ({ expect }) => {
    const expression = 'r.includes("7") || r === ""';
    const alone = await run(bin('mf-filter'), [expression], large);
    expect(alone.stdout.length).toBeGreaterThan(10_000);
    const result = await fan(
      [
        '--workers',
        '3',
        '--block',
        '8K',
        '--merge',
        'ordered',
        '--protocol',
        'manifold',
        '--',
        bin('mf-filter'),
        expression,
      ],
      large,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
  });
});

describe.concurrent('manifold fan --dispatch round-robin', () => {
  it('gives blocks to workers in turn: counts differ by at most one', async ({ expect }) => {
    const lines = Array.from({ length: 6_000 }, (_, i) => `${i} ${'r'.repeat(i % 37)}`);
    const input = joinLines(lines);
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
    const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as StatsDoc;
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
    expect(multisetDiff(one.records, recordsOf(input))).toEqual(SAME);
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
    await checkHash(expect, ['--key', 'field:2'], joinLines(lines), field2);
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
    await checkHash(expect, ['--field-sep', ',', '--key', 'field:3'], joinLines(lines), field3);
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
      joinLines(lines),
      userId,
    );
  });

  const words = (() => {
    const pick = randoms(8);
    return joinLines(
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
    expect(multisetDiff(recordsOf(ready.stdout), recordsOf(alone.stdout))).toEqual(SAME);
  });

  it("--shell 'sort | uniq -c' on hashed lines equals it run alone", async ({ expect }) => {
    const alone = await run('sh', ['-c', 'sort | uniq -c'], words, C);
    const result = await fan(
      ['-j', '3', '--block', '4K', '--dispatch', 'hash', '--shell', '--', 'sort | uniq -c'],
      words,
      C,
    );
    expect(ok(result)).toEqual(OK);
    expect(recordsOf(result.stdout).length).toBeGreaterThan(300);
    expect(multisetDiff(recordsOf(result.stdout), recordsOf(alone.stdout))).toEqual(SAME);
  });
});

describe.concurrent('manifold fan --dispatch broadcast', () => {
  it('gives every worker the whole input, in order', async ({ expect }) => {
    const input = joinLines(variedLines(3_000, 9));
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

describe.concurrent('manifold fan --merge sorted', () => {
  const text = joinLines(variedLines(10_000, 10));

  /** The sequential answer: one `sort` over the whole input. */
  const sortAlone = (args: string[], input: Buffer) => run('sort', args, input, C);

  it('merges byte-order sorts into the sorted input', async ({ expect }) => {
    const alone = await sortAlone([], text);
    const result = await fan(
      ['-j', '3', '--block', '4K', '--merge', 'sorted', '--', 'sort'],
      text,
      C,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
  });

  it('--merge-memory: per-block runs spilled to $TMPDIR merge to the same bytes', async ({
    expect,
  }) => {
    // More in fan-merges.test.ts.
    const alone = await sortAlone([], text);
    const args = ['-j', '3', '--block', '4K', '--merge', 'sorted', '--per-block'];
    const result = await fan([...args, '--merge-memory', '8K', '--', 'sort'], text, C);
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
  });

  it('--numeric merges sort -n', async ({ expect }) => {
    const pick = randoms(11);
    const numbers = ['0', '-0', '007', '.5', '-2.25', '1.50', 'abc', ''];
    const input = joinLines(
      Array.from({ length: 10_000 }, (_, i) => {
        const n =
          pick(10) === 0
            ? numbers[pick(numbers.length)]
            : `${pick(4001) - 2000}${pick(4) ? '' : `.${pick(100)}`}`;
        return `${n} ${WORDS[pick(WORDS.length)]} ${i % 7}`;
      }),
    );
    const alone = await sortAlone(['-n'], input);
    const result = await fan(
      ['-j', '3', '--block', '4K', '--merge', 'sorted', '--numeric', '--', 'sort', '-n'],
      input,
      C,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
  });

  it('--reverse merges sort -r', async ({ expect }) => {
    const alone = await sortAlone(['-r'], text);
    const result = await fan(
      ['-j', '3', '--block', '4K', '--merge', 'sorted', '--reverse', '--', 'sort', '-r'],
      text,
      C,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
  });

  it('--key field:2 merges sort -k2,2 (and --numeric, sort -k2,2n)', async ({ expect }) => {
    const pick = randoms(12);
    const lines = Array.from(
      { length: 10_000 },
      (_, i) => `${i} ${WORDS[pick(WORDS.length)]!.replace('\t', '_')}${pick(50)} ${pick(1000)}`,
    );
    const input = joinLines(lines);
    const field = (n: number) => (line: string) => line.split(' ')[n - 1] ?? '';
    const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

    const result = await fan(
      ['-j', '3', '--block', '4K', '--merge', 'sorted', '--key', 'field:2', '--', 'sort', '-k2,2'],
      input,
      C,
    );
    expect(ok(result)).toEqual(OK);
    const out = recordsOf(result.stdout);
    expect(multisetDiff(out, recordsOf(input))).toEqual(SAME);
    const keys = recordsOf(input).map(field(2)).sort(byBytes);
    expect(out.map(field(2)).join('\n') === keys.join('\n')).toBe(true);

    const numeric = await fan(
      [
        '-j',
        '3',
        '--block',
        '4K',
        '--merge',
        'sorted',
        '--key',
        'field:3',
        '--numeric',
        '--',
        'sort',
        '-k3,3n',
      ],
      input,
      C,
    );
    expect(ok(numeric)).toEqual(OK);
    const numbers = recordsOf(numeric.stdout).map((line) => Number(field(3)(line)));
    expect(numbers.filter((n, i) => i > 0 && n < numbers[i - 1]!).length).toBe(0);
    expect(multisetDiff(recordsOf(numeric.stdout), recordsOf(input))).toEqual(SAME);
  });

  it('stops with exit 1 and one line naming the worker when its output is not sorted', async ({
    expect,
  }) => {
    const descending = joinLines(Array.from({ length: 400 }, (_, i) => String(1000 - i)));
    const result = await fan(
      ['-j', '2', '--block', '64', '--merge', 'sorted', '--', 'cat'],
      descending,
      C,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toMatch(/worker [12]\b/);
    // What was written before the error is sorted: wrong output is never written.
    const written = recordsOf(result.stdout);
    expect(written).toEqual([...written].sort());
  });
});

describe.concurrent('manifold fan --tag', () => {
  it("prefixes each output record and each line of a worker's stderr with its number", async ({
    expect,
  }) => {
    const input = joinLines(variedLines(5_000, 13));
    const dir = tempDir();
    const stats = join(dir, 'stats.json');
    const result = await fan(
      [
        '-j',
        '3',
        '--block',
        '4K',
        '--tag',
        '--stats',
        stats,
        '--shell',
        '--',
        'cat; printf "one\\ntwo" >&2',
      ],
      input,
    );
    expect(result.exitCode).toBe(0);
    const tagged = recordsOf(result.stdout).map(untag);
    expect(tagged.filter(({ worker }) => ![1, 2, 3].includes(worker)).length).toBe(0);
    expect(
      multisetDiff(
        tagged.map(({ record }) => record),
        recordsOf(input),
      ),
    ).toEqual(SAME);
    // The tag is the worker that had the records: as many as --stats says it was given.
    const doc = JSON.parse(readFileSync(stats, 'utf8')) as StatsDoc;
    for (const worker of doc.workers) {
      expect(tagged.filter((t) => t.worker === worker.worker).length).toBe(worker.recordsIn);
    }
    const errors = result.stderr.split('\n').slice(0, -1);
    expect([...errors].sort()).toEqual([
      '1\tone',
      '1\ttwo',
      '2\tone',
      '2\ttwo',
      '3\tone',
      '3\ttwo',
    ]);
    for (const n of [1, 2, 3])
      expect(errors.indexOf(`${n}\tone`)).toBeLessThan(errors.indexOf(`${n}\ttwo`));
  });
});

describe.concurrent('manifold fan framings: blocks never cut a record', () => {
  const pick = randoms(14);

  interface Case {
    name: string;
    args: string[];
    /** The worker's --split. */
    split: string;
    input: Buffer;
    records: (data: Buffer) => string[];
    /** Run through the record-reversing filter too (once per framing is enough). */
    reverse: boolean;
  }

  const nulInput = Buffer.concat(
    Array.from({ length: 500 }, () => [bytes(pick, pick(40), [0]), Buffer.from([0])]).flat(),
  );
  const delimRecords = Array.from({ length: 500 }, () => {
    // '-' and '|' are frequent, so records end in '-' and start with '|', but never hold '--|'.
    const alphabet = ['-', '|', '-', 'a', '\n', '\0', 'é'];
    let record = Array.from({ length: pick(30) }, () => alphabet[pick(alphabet.length)]).join('');
    while (record.includes('--|')) record = record.replace('--|', '-|');
    return record;
  });
  const delimInput = Buffer.from(delimRecords.map((r) => `${r}--|`).join(''));
  const paragraphs = Buffer.from(
    Array.from({ length: 500 }, () =>
      pick(4) === 0
        ? '\n\n'
        : `${pick(2) ? '\n' : ''}p ${pick(1000)}\nline${pick(3) ? '\n' : ''}.\n\n`,
    ).join(''),
  );
  const payloads = Array.from({ length: 600 }, (_, i) =>
    i % 97 === 5 ? bytes(pick, 3000) : bytes(pick, pick(4) === 0 ? 0 : pick(120)),
  );
  const framed = frames(payloads);
  const fixed = bytes(pick, 8 * 1500);
  const fixedSlices = (data: Buffer) =>
    Array.from({ length: Math.ceil(data.length / 8) }, (_, i) =>
      data.subarray(8 * i, 8 * i + 8).toString('latin1'),
    );

  const cases: Case[] = [
    {
      name: '--split nul',
      args: ['--split', 'nul'],
      split: 'nul',
      input: nulInput,
      records: (d) => recordsOf(d, '\0'),
      reverse: true,
    },
    {
      name: '-0',
      args: ['-0'],
      split: 'nul',
      input: nulInput,
      records: (d) => recordsOf(d, '\0'),
      reverse: false,
    },
    {
      name: '--null',
      args: ['--null'],
      split: 'nul',
      input: nulInput,
      records: (d) => recordsOf(d, '\0'),
      reverse: false,
    },
    {
      name: 'delim:--|',
      args: ['--split', 'delim:--|'],
      split: 'delim:--|',
      input: delimInput,
      records: (d) => recordsOf(d, '--|'),
      reverse: true,
    },
    {
      name: 'delim:\\n\\n (paragraphs, some empty)',
      args: ['--split', 'delim:\\n\\n'],
      split: 'delim:\\n\\n',
      input: paragraphs,
      records: (d) => recordsOf(d, '\n\n'),
      reverse: true,
    },
    {
      name: 'frames',
      args: ['--split', 'frames'],
      split: 'frames',
      input: framed,
      records: (d) => unframe(d).map((p) => p.toString('latin1')),
      reverse: true,
    },
    {
      name: 'fixed:8',
      args: ['--split', 'fixed:8'],
      split: 'fixed:8',
      input: fixed,
      records: fixedSlices,
      reverse: true,
    },
  ];

  for (const { name, args, split, input, records, reverse } of cases) {
    it(`${name}: ordered per-block cat gives the input back exactly`, async ({ expect }) => {
      const result = await fan(
        ['-j', '3', '--block', '1K', '--merge', 'ordered', ...args, '--', 'cat'],
        input,
      );
      expect(ok(result)).toEqual(OK);
      expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    });

    it(`${name}: persistent cat, merged as ready, gives back the records`, async ({ expect }) => {
      const result = await fan(['-j', '3', '--block', '100', ...args, '--', 'cat'], input);
      expect(ok(result)).toEqual(OK);
      expect(multisetDiff(records(result.stdout), records(input))).toEqual(SAME);
    });

    if (reverse)
      it(`${name}: a filter that reverses each record sees whole records only`, async ({
        expect,
      }) => {
        const filter = [fixture('fan-reverse.js'), '--split', split];
        const alone = await run(filter[0]!, filter.slice(1), input);
        expect(ok(alone)).toEqual(OK);
        // Block 1: every record is larger than a block; 50: several records a block.
        const check = async (block: string) => {
          const result = await fan(
            [
              '-j',
              '3',
              '--block',
              block,
              '--merge',
              'ordered',
              '--protocol',
              'manifold',
              ...args,
              '--',
              ...filter,
            ],
            input,
          );
          expect({ block, ...ok(result) }).toEqual({ block, ...OK });
          expect({ block, ...byteDiff(result.stdout, alone.stdout) }).toEqual({
            block,
            ...sameBytes(alone.stdout),
          });
        };
        await Promise.all([check('1'), check('50')]);
      });
  }

  it('--join reads workers that write another framing: lines in, frames out, and back', async ({
    expect,
  }) => {
    const lines = joinLines(variedLines(2_000, 22));
    const alone = await run(bin('mf-frame'), [], lines);
    expect(ok(alone)).toEqual(OK);
    const ordered = await fan(
      [
        '-j',
        '3',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--protocol',
        'manifold',
        '--join',
        'frames',
        '--',
        bin('mf-frame'),
      ],
      lines,
    );
    expect(ok(ordered)).toEqual(OK);
    expect(byteDiff(ordered.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
    const ready = await fan(
      ['-j', '3', '--block', '1K', '--join', 'frames', '--', bin('mf-frame')],
      lines,
    );
    expect(ok(ready)).toEqual(OK);
    const payloads = (data: Buffer) => unframe(data).map((p) => p.toString('latin1'));
    expect(multisetDiff(payloads(ready.stdout), recordsOf(lines))).toEqual(SAME);
    const back = await fan(
      ['-j', '3', '--block', '1K', '--split', 'frames', '--join', 'lines', '--', bin('mf-unframe')],
      alone.stdout,
    );
    expect(ok(back)).toEqual(OK);
    expect(multisetDiff(recordsOf(back.stdout), recordsOf(lines))).toEqual(SAME);
  });

  it('fixed:8 keeps a short final record as it is', async ({ expect }) => {
    const input = Buffer.concat([fixed.subarray(0, 8 * 300), Buffer.from('end')]);
    const result = await fan(
      [
        '-j',
        '3',
        '--block',
        '20',
        '--merge',
        'ordered',
        '--one-to-one',
        '--split',
        'fixed:8',
        '--',
        'cat',
      ],
      input,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
  });
});

describe.concurrent('manifold fan: awkward records', () => {
  it('keeps records larger than a block whole and complete', async ({ expect }) => {
    const pick = randoms(15);
    const lines = variedLines(600, 16);
    for (let i = 0; i < 10; i++) {
      lines.splice(pick(lines.length), 0, `${i}:${String.fromCharCode(97 + i).repeat(50_000)}`);
    }
    const input = joinLines(lines);
    const ready = await fan(['-j', '3', '--block', '1K', '--', 'cat'], input);
    expect(ok(ready)).toEqual(OK);
    expect(multisetDiff(recordsOf(ready.stdout), recordsOf(input))).toEqual(SAME);
    const ordered = await fan(
      ['-j', '3', '--block', '1K', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect(ok(ordered)).toEqual(OK);
    expect(byteDiff(ordered.stdout, input)).toEqual(sameBytes(input));
  });

  it('passes every byte value but the newline, invalid UTF-8 and CR unchanged', async ({
    expect,
  }) => {
    const pick = randoms(17);
    const everyByte = Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 10);
    const lines: Buffer[] = [];
    for (let i = 0; i < 400; i++) {
      const shuffled = [...everyByte];
      for (let j = shuffled.length - 1; j > 0; j--) {
        const k = pick(j + 1);
        [shuffled[j], shuffled[k]] = [shuffled[k]!, shuffled[j]!];
      }
      lines.push(Buffer.from(shuffled.slice(0, pick(256))));
    }
    lines.push(Buffer.from([0xff, 0xfe]), Buffer.from([0xc3, 0x28]), Buffer.from([0x80]));
    lines.push(
      Buffer.from('crlf\r'),
      Buffer.from('\r'),
      Buffer.from('a\rb'),
      Buffer.from(everyByte),
    );
    const input = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
    const ordered = await fan(
      ['-j', '3', '--block', '1K', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect(ok(ordered)).toEqual(OK);
    expect(byteDiff(ordered.stdout, input)).toEqual(sameBytes(input));
    const ready = await fan(['-j', '3', '--block', '1K', '--', 'cat'], input);
    expect(ok(ready)).toEqual(OK);
    expect(multisetDiff(recordsOf(ready.stdout), recordsOf(input))).toEqual(SAME);
  });

  const emptyCases: [string, string[]][] = [
    ['the defaults', ['--', 'cat']],
    ['--merge ordered', ['--merge', 'ordered', '--', 'cat']],
    ['--one-to-one', ['--merge', 'ordered', '--one-to-one', '--', 'cat']],
    [
      '--protocol manifold',
      ['--merge', 'ordered', '--protocol', 'manifold', '--', bin('mf-map'), 'r'],
    ],
    ['--merge sorted', ['--merge', 'sorted', '--', 'sort']],
    ['--dispatch hash', ['--dispatch', 'hash', '--key', 'field:1', '--', 'cat']],
    ['--dispatch broadcast --tag', ['--dispatch', 'broadcast', '--tag', '--', 'cat']],
    ['--dispatch round-robin', ['--dispatch', 'round-robin', '--', 'cat']],
    ['-0', ['-0', '--', 'cat']],
    ['--split frames', ['--split', 'frames', '--merge', 'ordered', '--', 'cat']],
    ['--shell', ['--shell', '--', 'cat | cat']],
  ];
  it.for(emptyCases)('empty input gives no output and exit 0: %s', async ([, args], { expect }) => {
    const result = await fan(['-j', '3', ...args], '');
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.length).toBe(0);
  });

  const unterminated = Array.from({ length: 300 }, (_, i) => `record ${i}`).join('\n');
  const lastCases: [string, string[], string, boolean][] = [
    ['the defaults', ['--', 'cat'], '\n', false],
    ['--merge ordered', ['--merge', 'ordered', '--', 'cat'], '\n', true],
    ['--one-to-one', ['--merge', 'ordered', '--one-to-one', '--', 'cat'], '\n', true],
    [
      '--protocol manifold',
      ['--merge', 'ordered', '--protocol', 'manifold', '--', bin('mf-map'), 'r'],
      '\n',
      true,
    ],
    ['--dispatch hash', ['--dispatch', 'hash', '--', 'cat'], '\n', false],
    ['--dispatch round-robin', ['--dispatch', 'round-robin', '--', 'cat'], '\n', false],
    ['-0', ['-0', '--merge', 'ordered', '--', 'cat'], '\0', true],
    ['delim:--|', ['--split', 'delim:--|', '--', 'cat'], '--|', false],
  ];
  it.for(lastCases)(
    'a last record without its delimiter still comes out, as the worker wrote it: %s',
    async ([, args, delimiter, exact], { expect }) => {
      const input = Buffer.from(unterminated.replaceAll('\n', delimiter));
      // cat gives it back as it came; mf-map writes every record with its delimiter.
      const added = args.includes(bin('mf-map')) ? delimiter : '';
      const expected = Buffer.concat([input, Buffer.from(added)]);
      const result = await fan(['-j', '3', '--block', '256', ...args], input);
      expect(ok(result)).toEqual(OK);
      if (exact) expect(byteDiff(result.stdout, expected)).toEqual(sameBytes(expected));
      else
        expect(
          multisetDiff(recordsOf(result.stdout, delimiter), recordsOf(expected, delimiter)),
        ).toEqual(SAME);
    },
  );

  it('a last record without its newline survives the sorted merge and broadcast', async ({
    expect,
  }) => {
    const input = Buffer.from(unterminated);
    const expected = recordsOf(Buffer.from(`${unterminated}\n`));
    const sorted = await fan(
      ['-j', '3', '--block', '256', '--merge', 'sorted', '--', 'sort'],
      input,
      C,
    );
    expect(ok(sorted)).toEqual(OK);
    expect(recordsOf(sorted.stdout)).toEqual([...expected].sort());
    expect(sorted.stdout.at(-1)).toBe(10);
    const broadcast = await fan(
      ['-j', '2', '--block', '256', '--dispatch', 'broadcast', '--', 'cat'],
      input,
    );
    expect(ok(broadcast)).toEqual(OK);
    expect(multisetDiff(recordsOf(broadcast.stdout), [...expected, ...expected])).toEqual(SAME);
  });
});

describe.concurrent('manifold fan with many workers', () => {
  it('-j 64 with small blocks: complete output, one process per worker', async ({ expect }) => {
    const input = joinLines(variedLines(10_000, 18));
    const result = await fan(['-j', '64', '--block', '1K', '--stats', '-', '--', 'cat'], input);
    expect(result.exitCode).toBe(0);
    expect(multisetDiff(recordsOf(result.stdout), recordsOf(input))).toEqual(SAME);
    const stats = statsOf(result);
    expect(stats.workers.length).toBe(64);
    expect(stats.workers.filter((w) => w.pids.length !== 1)).toEqual([]);
    expect(stats.workers.reduce((sum, w) => sum + w.blocks, 0)).toBe(stats.totals.blocks);
  });

  it('-j 64 --merge ordered with small blocks gives the input back exactly', async ({ expect }) => {
    const input = joinLines(variedLines(1_500, 19));
    const result = await fan(
      ['-j', '64', '--block', '1K', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
  });
});

describe.concurrent('manifold fan --input', () => {
  it('reads the files in order, not stdin', async ({ expect }) => {
    const dir = tempDir();
    const a = joinLines(variedLines(3_000, 20));
    const b = joinLines(variedLines(3_000, 21).map((line) => `b ${line}`));
    writeFileSync(join(dir, 'a'), a);
    writeFileSync(join(dir, 'b'), b);
    const result = await fan(
      [
        '-j',
        '3',
        '--block',
        '4K',
        '--merge',
        'ordered',
        '--input',
        join(dir, 'a'),
        '--input',
        join(dir, 'b'),
        '--',
        'cat',
      ],
      'not this\n',
    );
    expect(ok(result)).toEqual(OK);
    const expected = Buffer.concat([a, b]);
    expect(byteDiff(result.stdout, expected)).toEqual(sameBytes(expected));
  });

  it('a missing file is a usage error naming it', async ({ expect }) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), 'a\n');
    const missing = join(dir, 'no-such-file');
    const result = await fan(['--input', join(dir, 'a'), '--input', missing, '--', 'cat']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toContain(missing);
    expect(result.stdout.length).toBe(0);
  });
});

describe.concurrent('manifold fan --table', () => {
  // The rest (sharded tables, checks, configs) is in test/tables/fan.test.ts.
  it('names each table to every worker as MANIFOLD_TABLE_<NAME>', async ({ expect }) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'users.tsv'), 'u1 Ann\n');
    const table = join(dir, 'users.mft');
    const built = await run(manifold, [
      'table',
      'build',
      join(dir, 'users.tsv'),
      '--key',
      'field:1',
      '-o',
      table,
    ]);
    expect(built.exitCode).toBe(0);
    const result = await fan(
      [
        '-j',
        '2',
        '--table',
        `users=${table}`,
        '--shell',
        '--',
        'cat >/dev/null; echo "$MANIFOLD_TABLE_USERS"',
      ],
      'a\n',
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe(`${table}\n${table}\n`);
  });
});

describe.concurrent('manifold fan: failures, retries and what it says', () => {
  const input = joinLines(
    Array.from({ length: 2_000 }, (_, i) => `line ${String(i).padStart(5, '0')}`),
  );

  it('--retries runs each failed block again on a fresh worker: the output is whole', async ({
    expect,
  }) => {
    const marks = tempDir();
    const result = await fan(
      [
        '-j',
        '2',
        '--block',
        '2K',
        '--merge',
        'ordered',
        '--retries',
        '1',
        '--stats',
        '-',
        '--',
        fixture('fan-flaky.sh'),
      ],
      input,
      { env: { FAN_MARKS: marks } },
    );
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    const stats = statsOf(result);
    expect(stats.status).toBe(0);
    // Each block failed once, then ran again: two processes per block.
    expect(stats.workers.reduce((sum, w) => sum + w.pids.length, 0)).toBe(2 * stats.totals.blocks);
  });

  it('without --retries, a failing block is exit 1 and a line naming the worker', async ({
    expect,
  }) => {
    const result = await fan(
      ['-j', '1', '--block', '2K', '--per-block', '--', fixture('fan-flaky.sh')],
      input,
      { env: { FAN_MARKS: tempDir() } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toMatch(
      /worker 1 \(pid \d+: .*fan-flaky\.sh\) exited with status 3 on block 1 \(records 1-\d+\)/,
    );
  });

  it('--halt never finishes the other blocks and names the one that failed', async ({ expect }) => {
    const lines = recordsOf(input);
    lines[1_234] = 'BAD';
    const withBad = joinLines(lines);
    const keepUnlessBad =
      "awk '{ kept[NR] = $0 } /^BAD$/ { bad = 1 } END { if (bad) exit 3; for (i = 1; i <= NR; i++) print kept[i] }'";
    const result = await fan(
      [
        '-j',
        '2',
        '--block',
        '2K',
        '--merge',
        'ordered',
        '--halt',
        'never',
        '--shell',
        '--',
        keepUnlessBad,
      ],
      withBad,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(oneLine);
    const range = /on block \d+ \(records (\d+)-(\d+)\)/.exec(result.stderr);
    expect(range).not.toBeNull();
    const [first, last] = [Number(range![1]), Number(range![2])];
    expect(first).toBeLessThanOrEqual(1_235);
    expect(last).toBeGreaterThanOrEqual(1_235);
    // Everything but the failed block's records, in order.
    const expected = joinLines([...lines.slice(0, first - 1), ...lines.slice(last)]);
    expect(byteDiff(result.stdout, expected)).toEqual(sameBytes(expected));
  });

  it('--max-record: a record larger than it stops the run with exit 1 naming it', async ({
    expect,
  }) => {
    const lines = recordsOf(input).slice(0, 100);
    lines.push('x'.repeat(50_000), ...lines);
    const result = await fan(
      ['--block', '1K', '--max-record', '4K', '--', 'cat'],
      joinLines(lines),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toMatch(/101.*--max-record/);
  });

  it('--progress draws nothing when stderr is not a terminal', async ({ expect }) => {
    const result = await fan(
      ['-j', '2', '--block', '4K', '--progress', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
  });

  it('--verbose says that --merge ordered chose per-block workers', async ({ expect }) => {
    const result = await fan(
      ['-j', '2', '--block', '4K', '--verbose', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^manifold: .*--per-block/m);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
  });
});

describe.concurrent('manifold fan usage errors', () => {
  const cases: [string[], string][] = [
    [['--merge', 'ordered', '--dispatch', 'hash'], '--dispatch hash'],
    [['--merge', 'ordered', '--dispatch', 'broadcast'], '--dispatch broadcast'],
    [['--numeric'], '--numeric'],
    [['--reverse'], '--reverse'],
    [['--per-block', '--one-to-one'], '--one-to-one'],
    [['--per-block', '--protocol', 'manifold'], '--protocol'],
    [['--one-to-one', '--protocol', 'manifold'], '--protocol'],
    [['--protocol', 'other'], 'other'],
    [['--protocol', 'manifold', '--shell'], '--shell'],
    [['-j', '0'], '--workers'],
    [['--block', '0'], '--block'],
    [['--split', 'raw'], 'raw'],
    [['--split', 'bogus'], 'bogus'],
    [['--dispatch', 'bogus'], '--dispatch'],
  ];
  it.for(cases)('%j is exit 2 with one line naming %s', async ([args, named], { expect }) => {
    const result = await fan([...args, '--', 'cat'], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toContain(named);
    expect(result.stdout.length).toBe(0);
  });
});

describe('manifold fan --help', () => {
  it('lists every option, and each is exercised in this file', async ({ expect }) => {
    const result = await fan(['--help']);
    expect(result.exitCode).toBe(0);
    const help = result.stdout.toString();
    const options = [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1]!);
    expect(options).toEqual(
      expect.arrayContaining([
        '--workers',
        '--split',
        '--join',
        '--null',
        '--block',
        '--dispatch',
        '--key',
        '--field-sep',
        '--merge',
        '--numeric',
        '--reverse',
        '--tag',
        '--shell',
        '--per-block',
        '--one-to-one',
        '--protocol',
        '--retries',
        '--halt',
        '--input',
        '--max-record',
        '--merge-memory',
        '--stats',
        '--progress',
        '--verbose',
        '--help',
      ]),
    );
    expect(help).toMatch(/^ {2}-j, --workers/m);
    expect(help).toMatch(/^ {2}-0, --null/m);
    // This test's own list does not count.
    const whole = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    const source = whole.slice(0, whole.indexOf("describe('manifold fan --help'"));
    const unused = options.filter(
      (option) => option !== '--help' && !source.includes(`'${option}'`),
    );
    expect(unused).toEqual([]);
  });
});
