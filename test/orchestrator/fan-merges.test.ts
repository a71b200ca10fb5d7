import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { shuffled } from '../support/data.js';
import { sha256 } from '../support/diff.js';
import { C } from '../support/fan-run.js';
import { joinLines } from '../support/lines.js';
import { statusKiB } from '../support/proc.js';
import { fileTempDir } from '../support/temp.js';

const canMount =
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['--mount', 'true'], { stdio: 'ignore' }).status === 0;

// The merges of `manifold fan` under retries, halting and memory bounds: real workers, real
// pipes, and the output checked against `sort` or the input.

// Tests here run concurrently: their folders go when the file is done.
const dir = fileTempDir('manifold-fan-merges-');

/** 0..n-1 as 6-digit lines, shuffled the same way every run. */
const shuffledLines = (n: number) =>
  shuffled(
    Array.from({ length: n }, (_, i) => String(i).padStart(6, '0')),
    12345,
  );

describe.concurrent('--merge sorted merges sorted runs, whatever ties output to blocks', () => {
  const lines = shuffledLines(60_000);
  const input = joinLines(lines);
  const sorted = joinLines([...lines].sort());
  const numericDown = joinLines([...lines].sort((a, b) => Number(b) - Number(a)));
  const cases: [string, string[], string][] = [
    ['--retries 1', ['--retries', '1', '--', 'sort'], sorted],
    ['--per-block', ['--per-block', '--', 'sort'], sorted],
    ['--one-to-one', ['--one-to-one', '--', 'sort'], sorted],
    ['--protocol manifold', ['--protocol', 'manifold', '--', fixture('sort-flush.js')], sorted],
    [
      '--per-block --numeric --reverse',
      ['--per-block', '--numeric', '--reverse', '--', 'sort', '-rn'],
      numericDown,
    ],
    ['--per-block, spilling', ['--per-block', '--merge-memory', '32K', '--', 'sort'], sorted],
    ['unattributed, spilling', ['--merge-memory', '16K', '--', 'sort'], sorted],
    [
      '--dispatch broadcast --per-block (every worker has each block)',
      ['--dispatch', 'broadcast', '--per-block', '--', 'sort'],
      joinLines([...lines, ...lines, ...lines].sort()),
    ],
  ];
  for (const [name, args, expected] of cases) {
    it(`${name}: each block's output is a run, merged into sorted output`, async ({ expect }) => {
      const result = await run(
        manifold,
        ['fan', '-j', '3', '--block', '16K', '--merge', 'sorted', ...args],
        input,
        C,
      );
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout.toString() === expected).toBe(true);
    });
  }

  it('with retries that run: every block fails once, the output is whole and sorted', async ({
    expect,
  }) => {
    const marks = mkdtempSync(join(dir, 'marks-'));
    const script = `set -e; out=$(${fixture('fan-flaky.sh')}); printf '%s\\n' "$out" | sort`;
    const flaky = await run(
      manifold,
      [
        'fan',
        '-j',
        '2',
        '--block',
        '16K',
        '--merge',
        'sorted',
        '--retries',
        '1',
        '--verbose',
        '--shell',
        script,
      ],
      input,
      { env: { ...process.env, LC_ALL: 'C', FAN_MARKS: marks } },
    );
    expect(flaky.exitCode).toBe(0);
    expect(flaky.stderr).toMatch(/trying again/);
    expect(flaky.stdout.toString() === sorted).toBe(true);
  });

  it('a block whose output is out of order is named, exit 1', async ({ expect }) => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '16K', '--merge', 'sorted', '--per-block', '--', 'cat'],
      input,
      C,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: worker \d output of block \d+ \(records \d+-\d+\):\d+: not sorted by the key/,
    );
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  /** A sorted merge held to 8K, so that it spills into `tmpdir`. */
  const spill = (tmpdir: string) =>
    run(
      manifold,
      ['fan', '-j', '2', '--block', '8K', '--merge', 'sorted', '--merge-memory', '8K', 'sort'],
      input,
      { env: { LC_ALL: 'C', TMPDIR: tmpdir } },
    );

  it('spilling to $TMPDIR leaves nothing there', async ({ expect }) => {
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const spilled = await spill(tmp);
    expect(spilled.exitCode).toBe(0);
    expect(spilled.stdout.toString() === sorted).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
  });

  // The line embedded Node's text: `...(set TMPDIR, or raise --merge-memory): Error: ENOENT: no
  // such file or directory, mkdtemp '/x/manifold-merge-XXXXXX'`. Now the reason in words.
  const cannot = (folder: string, reason: string, where = 'TMPDIR') =>
    `manifold: cannot spill the sorted merge to a temporary file in ${folder}: ${reason}; set ${where} to another folder, or raise --merge-memory\n`;

  it('a spill that cannot be written is one line naming $TMPDIR and why, exit 1', async ({
    expect,
  }) => {
    const missing = join(dir, 'no-such-folder');
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const ways: [string, string][] = [
      [missing, 'no such file or directory (ENOENT)'],
      [file, 'not a directory (ENOTDIR)'],
    ];
    for (const [folder, reason] of ways) {
      const result = await spill(folder);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(cannot(folder, reason));
    }
  });

  // Given --tmpdir, the line said to set TMPDIR, which --tmpdir overrides.
  it.runIf(canMount).for([
    ['TMPDIR', 'TMPDIR'],
    ['--tmpdir', '--tmpdir'],
  ])(
    'a spill on a full disk, the folder given by %s: no space left on device (ENOSPC), and that to change',
    async ([way, where], { expect }) => {
      // A 64 KiB tmpfs in a mount namespace of its own (root only), gone with it.
      const disk = join(dir, `disk-${way.replace(/-/g, '')}`);
      mkdirSync(disk, { recursive: true });
      const script = 'mount -t tmpfs -o size=64k none "$1" || exit 99; shift; exec "$@"';
      const args = ['fan', '-j', '2', '--block', '8K', '--merge', 'sorted', '--merge-memory', '8K'];
      const folder = way === '--tmpdir' ? ['--tmpdir', disk] : [];
      const result = await run(
        'unshare',
        ['--mount', 'sh', '-c', script, 'sh', disk, manifold, ...args, ...folder, 'sort'],
        input,
        { env: { ...process.env, LC_ALL: 'C', ...(way === 'TMPDIR' && { TMPDIR: disk }) } },
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(cannot(disk, 'no space left on device (ENOSPC)', where));
    },
  );

  it('--key, spilling: ties keep the order of their blocks while a block ends late', async ({
    expect,
  }) => {
    // 160 records a key value, in input order; block 10 ends only once block 20 is done, so the
    // blocks between are merged into one spill file while it runs. Before a spill file kept each
    // record's place in the input, the ties of that file all went where its first block (9 or
    // before) goes: ahead of block 10's.
    const tied = Array.from({ length: 1600 }, (_, i) =>
      [`k${i % 10}`, `r${String(i).padStart(4, '0')}`].join(' '),
    );
    const gate = mkdtempSync(join(dir, 'ties-'));
    const script = `x=$(cat)
case $MANIFOLD_BLOCK in
10) until [ -e ${gate}/go ]; do sleep 0.05; done ;;
20) : > ${gate}/go ;;
esac
printf '%s\\n' "$x" | sort -s -k1,1`;
    const args = ['-j', '3', '--block', '400', '--per-block', '--merge', 'sorted'];
    const result = await run(
      manifold,
      ['fan', ...args, '--key', 'field:1', '--merge-memory', '2K', '--shell', '--', script],
      joinLines(tied),
      C,
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    // A stable sort by the key alone.
    const byKey = [...tied].sort((a, b) => a.charCodeAt(1) - b.charCodeAt(1));
    expect(result.stdout.toString() === joinLines(byKey)).toBe(true);
  });

  it('--dispatch broadcast --per-block --tag: ties go by block, then by worker, spilled or not', async ({
    expect,
  }) => {
    // Every worker has each block, so each block's run comes once a worker, all of one order:
    // ties among them came out in any order, another when the merge spilled.
    const tied = Array.from({ length: 3000 }, (_, i) => `r${i} k${i % 4} ${i % 7}`);
    const text = joinLines(tied);
    // Blocks of 4K, each cut after its last whole line.
    const blocks: string[][] = [];
    for (let at = 0; at < text.length; ) {
      const end = text.lastIndexOf('\n', Math.min(at + 4096, text.length) - 1) + 1;
      blocks.push(text.slice(at, end).split('\n').slice(0, -1));
      at = end;
    }
    const keyOf = (line: string) => line.split(' ')[1]!;
    const copies = blocks.flatMap((block) =>
      [1, 2, 3].flatMap((slot) => block.map((line) => `${slot}\t${line}`)),
    );
    const byKey = copies.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    for (const memory of ['64M', '1K']) {
      const args = ['-j', '3', '--dispatch', 'broadcast', '--per-block', '--block', '4K', '--tag'];
      const result = await run(
        manifold,
        ['fan', ...args, '--merge', 'sorted', '--key', 'field:2', '--merge-memory', memory].concat([
          '--',
          'sort',
          '-s',
          '-k2,2',
        ]),
        text,
        C,
      );
      expect(result.stderr).toBe('');
      expect(result.stdout.toString() === joinLines(byKey)).toBe(true);
    }
  });

  it('--merge-memory takes a size; a bad one is exit 2 naming it', async ({ expect }) => {
    const result = await run(manifold, ['fan', '--merge-memory', 'lots', '--', 'sort'], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^manifold: .*--merge-memory.*\n$/);
  });
});

describe('--merge ordered --halt now', () => {
  it('writes a clean prefix: nothing from the failed block on, though later blocks were done', async ({
    expect,
  }) => {
    // Block 9 fails only once block 10 is done (its process gone): under the old merge, the
    // lost block's turn passed and block 10 was written after it.
    const marks = mkdtempSync(join(dir, 'halt-'));
    const script = `x=$(cat)
case "$x" in
  9) until [ -s ${marks}/ten ]; do sleep 0.01; done
     while kill -0 "$(cat ${marks}/ten)" 2>/dev/null; do sleep 0.01; done
     exit 3;;
  10) echo "$x"; echo $$ > ${marks}/ten.tmp; mv ${marks}/ten.tmp ${marks}/ten; exit 0;;
esac
echo "$x"`;
    const input = joinLines(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    const result = await run(
      manifold,
      ['fan', '-j', '4', '--block', '3', '--merge', 'ordered', '--halt', 'now', '--shell', script],
      input,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/exited with status 3 on block 9 \(records 9-9\)/);
    const lines = result.stdout.toString().split('\n').slice(0, -1);
    expect(lines).toEqual(lines.map((_, i) => String(i + 1)));
    expect(lines.length).toBeLessThan(9);
  });
});

/** The most memory `pid` has had resident, in bytes, from /proc. */
const peakResident = (pid: number) => (statusKiB(pid, 'VmHWM') ?? 0) * 1024;

interface Measured {
  code: number | null;
  stderr: string;
  /** The output's bytes, hashed: no need to hold them. */
  sha: string;
  /** Resident peak, read from when manifold still had megabytes of output to write to its end. */
  peak: number;
}

/** Runs `manifold fan args` on a file of `size` bytes of output, measuring its resident peak. */
async function measured(args: string[], size: number): Promise<Measured> {
  const child = spawn(manifold, ['fan', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const hash = createHash('sha256');
  let received = 0;
  let peak = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    received += chunk.length;
    // Read again with each chunk to the end: a merge may grow while it writes, not before.
    if (received >= size - 4 * 1024 * 1024) peak = Math.max(peak, peakResident(child.pid!));
  });
  // 'close', not 'exit': at 'exit' the end of stdout may not have been read yet.
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr, sha: hash.digest('hex'), peak };
}

describe.concurrent('merges hold at most --merge-memory', () => {
  // 1 M records of 20 bytes (20 MB); a bound of 1M, far below what is held.
  const lines = Array.from({ length: 1_000_000 }, (_, i) =>
    String((i * 7919) % 1_000_003).padStart(19, '0'),
  );
  const input = joinLines(lines);
  const file = join(dir, 'twenty-megabytes.txt');
  writeFileSync(file, input);
  // Node and its buffers take ~80 MB; holding the 20 MB as records took 250 MB before.
  const BOUND = 192 * 1024 * 1024;

  it('sorted: a worker starting late, what the other wrote spills to $TMPDIR', async ({
    expect,
  }) => {
    // The first worker to start sorts at once; the other waits for it to finish, so all the
    // first one wrote is held (2.9 GB RSS on 500 MB before).
    const gate = mkdtempSync(join(dir, 'late-'));
    const script = `if mkdir ${gate}/first 2>/dev/null; then sort; : > ${gate}/go
else until [ -e ${gate}/go ]; do sleep 0.05; done; sort; fi`;
    const args = ['-j', '2', '--block', '1M', '--merge', 'sorted', '--merge-memory', '1M'];
    const result = await measured([...args, '--input', file, '--shell', script], input.length);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.sha).toBe(sha256(joinLines([...lines].sort())));
    expect(result.peak).toBeGreaterThan(0);
    expect(result.peak).toBeLessThan(BOUND);
  }, 120_000);

  it('ordered: a worker starting late, the others are paused', async ({ expect }) => {
    // A shell sleep makes one worker late; how late does not change what is checked.
    const gate = mkdtempSync(join(dir, 'slow-'));
    const script = `if mkdir ${gate}/first 2>/dev/null; then sleep 2; fi; cat`;
    const args = ['-j', '2', '--block', '256K', '--one-to-one', '--merge', 'ordered'];
    const result = await measured(
      [...args, '--merge-memory', '1M', '--input', file, '--shell', script],
      input.length,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.sha).toBe(sha256(input));
    expect(result.peak).toBeGreaterThan(0);
    expect(result.peak).toBeLessThan(BOUND);
  }, 120_000);

  it('sorted with --tag, the worker changing from record to record: paced, memory bounded', async ({
    expect,
  }) => {
    // Tagged output goes a worker at a time: a batch each time the worker changes. Each such
    // batch, a record or two, was tagged into 2 MiB of its own and never waited for room: 100 k
    // shuffled records made a peak of 325 MB and took 52 s.
    const shuffled = shuffledLines(100_000);
    const shuffledInput = joinLines(shuffled);
    const file = join(dir, 'shuffled.txt');
    writeFileSync(file, shuffledInput);
    const args = ['-j', '2', '--per-block', '--block', '64K', '--merge', 'sorted', '--tag'];
    const result = await measured([...args, '--input', file, '--', 'sort'], shuffledInput.length);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.peak).toBeGreaterThan(0);
    expect(result.peak).toBeLessThan(BOUND);
  }, 120_000);

  it('sorted, a run per block, short records: a held record costs its place, not an object', async ({
    expect,
  }) => {
    // 2.5 M records of 8 bytes (20 MB), under the default --merge-memory (64M): held as a
    // Buffer each (~100 bytes of heap), they made a peak of 413 MB and took 4.5 s.
    const short = Array.from({ length: 2_500_000 }, (_, i) =>
      String((i * 7919) % 9_999_991).padStart(7, '0'),
    );
    const shortInput = joinLines(short);
    const shortFile = join(dir, 'short-records.txt');
    writeFileSync(shortFile, shortInput);
    const args = ['-j', '2', '--per-block', '--merge', 'sorted', '--input', shortFile];
    const result = await measured([...args, '--', 'sort'], shortInput.length);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.sha).toBe(sha256(joinLines(short.sort())));
    expect(result.peak).toBeGreaterThan(0);
    expect(result.peak).toBeLessThan(BOUND);
  }, 120_000);
});
