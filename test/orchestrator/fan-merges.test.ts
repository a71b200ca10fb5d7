import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';

// The merges of `manifold fan` under retries, halting and memory bounds: real workers, real
// pipes, and the output checked against `sort` or the input.

const dir = mkdtempSync(join(tmpdir(), 'manifold-fan-merges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 0..n-1 as 6-digit lines, shuffled the same way every run. */
function shuffledLines(n: number): string[] {
  const lines = Array.from({ length: n }, (_, i) => String(i).padStart(6, '0'));
  let state = 12345;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  return lines;
}

const text = (lines: string[]) => lines.map((line) => `${line}\n`).join('');
const C = { env: { ...process.env, LC_ALL: 'C' } };

describe.concurrent('--merge sorted merges sorted runs, whatever ties output to blocks', () => {
  const lines = shuffledLines(60_000);
  const input = text(lines);
  const sorted = text([...lines].sort());
  const numericDown = text([...lines].sort((a, b) => Number(b) - Number(a)));
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

  it('spilling to $TMPDIR leaves nothing there', async ({ expect }) => {
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const spilled = await run(
      manifold,
      ['fan', '-j', '2', '--block', '8K', '--merge', 'sorted', '--merge-memory', '8K', 'sort'],
      input,
      { env: { ...process.env, LC_ALL: 'C', TMPDIR: tmp } },
    );
    expect(spilled.exitCode).toBe(0);
    expect(spilled.stdout.toString() === sorted).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
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
    const input = text(Array.from({ length: 20 }, (_, i) => String(i + 1)));
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
function peakResident(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

describe('--merge sorted memory', () => {
  it('a worker starting late: what the other wrote spills past --merge-memory, RSS stays bounded', async ({
    expect,
  }) => {
    // 1 M records of 20 bytes (20 MB). The first worker to start sorts at once; the other
    // waits for it to finish: all the first one wrote must be held (2.9 GB RSS on 500 MB before).
    const count = 1_000_000;
    const lines = Array.from({ length: count }, (_, i) =>
      String((i * 7919) % 1_000_003).padStart(19, '0'),
    );
    const file = join(dir, 'late.txt');
    writeFileSync(file, text(lines));
    const gate = mkdtempSync(join(dir, 'late-'));
    const script = `if mkdir ${gate}/first 2>/dev/null; then sort; : > ${gate}/go
else until [ -e ${gate}/go ]; do sleep 0.05; done; sort; fi`;
    const child = spawn(
      manifold,
      [
        'fan',
        '-j',
        '2',
        '--block',
        '1M',
        '--merge',
        'sorted',
        '--merge-memory',
        '1M',
        '--input',
        file,
        '--shell',
        script,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
    );
    const total = count * 20;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let received = 0;
    let previous: Buffer | null = null;
    let ordered = true;
    let peak = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      // Record boundaries fall at multiples of 20 bytes: check the order of whole records.
      const data: Buffer = previous === null ? chunk : Buffer.concat([previous, chunk]);
      const whole = data.length - (data.length % 20);
      for (let at = 20; at < whole; at += 20) {
        if (Buffer.compare(data.subarray(at - 20, at), data.subarray(at, at + 20)) > 0)
          ordered = false;
      }
      previous = whole >= 20 ? data.subarray(whole - 20) : data;
      received += chunk.length;
      if (peak === 0 && received >= total - 4 * 1024 * 1024) {
        // Manifold still has megabytes to write: it is alive, and past its merge's peak.
        peak = peakResident(child.pid!);
      }
    });
    const [code] = await once(child, 'exit');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(received).toBe(total);
    expect(ordered).toBe(true);
    expect(peak).toBeGreaterThan(0);
    // Holding the first worker's output as records took 250 MB; spilled, it is Node and buffers.
    expect(peak).toBeLessThan(192 * 1024 * 1024);
  }, 120_000);
});
