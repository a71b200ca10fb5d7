import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { fan } from '../support/fan-run.js';
import { releaseFifo } from '../support/fifo.js';
import { collect, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A worker's output over --max-record passed, exit 0, in every framing but those ended by one
// byte when a whole record came in one read (only what was held between reads was measured);
// a record of exactly the limit was refused when its delimiter came split across reads (the
// partial delimiter counted as the record's); and a last record was not measured at all.

const LIMIT = 1024;
const TOO_LARGE = /^manifold: worker 1 output.*: record is larger than the maximum record size/m;

/** Each --join's record of `size` bytes as its framing counts them, with its framing bytes. */
const joins: [join: string, record: (size: number) => Buffer][] = [
  ['delim:<>', (n) => Buffer.from(`${'x'.repeat(n)}<>`)],
  ['delim:\\r\\n', (n) => Buffer.from(`${'x'.repeat(n)}\r\n`)],
  ['lines:2', (n) => Buffer.from(`${'x'.repeat(n - 2)}\ny\n`)],
  ['start:>>', (n) => Buffer.from(`>>${'x'.repeat(n - 2)}`)],
  ['frames', (n) => Buffer.concat([Buffer.from([0, 0, n >> 8, n & 255]), Buffer.alloc(n, 'x')])],
];
const modes: string[][] = [[], ['--merge', 'ordered'], ['--per-block'], ['--one-to-one']];

/** A worker that reads its block, then writes `output` in one write. */
const writer = (output: Buffer) => [
  '/usr/bin/python3',
  '-c',
  `import os,sys; sys.stdin.buffer.read(); os.write(1, bytes.fromhex("${output.toString('hex')}"))`,
];

describe("a worker's output written in one read: each record measured", () => {
  for (const [join, record] of joins) {
    for (const mode of modes) {
      // A record of start:>> ends only where the next begins: --one-to-one refuses it (exit 2).
      if (join.startsWith('start:') && mode[0] === '--one-to-one') continue;
      it(`--join ${join} ${mode.join(' ')}: the limit passes, one byte over fails`, async ({
        expect,
      }) => {
        const run = (size: number) => {
          // The record under test first, ended by the next (the last record's own end differs).
          const output = Buffer.concat([record(size), record(2)]);
          return fan(
            ['--max-record', '1K', '--join', join, ...mode, '--', ...writer(output)],
            'a\nb\n',
          );
        };
        const at = await run(LIMIT);
        expect({ exitCode: at.exitCode, stderr: at.stderr }).toEqual({ exitCode: 0, stderr: '' });
        expect(at.stdout.length).toBe(record(LIMIT).length + record(2).length);
        const over = await run(LIMIT + 1);
        expect(over.exitCode, over.stderr).toBe(1);
        expect(over.stderr).toMatch(TOO_LARGE);
        expect(over.stdout.toString()).not.toMatch(/x{1000}/);
      });
    }
  }
});

describe("a worker's last record, ended by its output's end", () => {
  for (const starter of ['python', 'perl'])
    it(`with part of a delimiter after it, the part is its own: 1 KiB + 1 B (starter ${starter})`, async ({
      expect,
    }) => {
      const output = Buffer.from(`ab<>${'x'.repeat(LIMIT)}<`);
      for (const mode of modes) {
        const args = ['--max-record', '1K', '--join', 'delim:<>', ...mode, '--', ...writer(output)];
        const result = await fan(args, 'a\nb\n', { env: { MANIFOLD_STARTER: starter } });
        expect(result.exitCode, `${mode} ${result.stderr}`).toBe(1);
        expect(result.stderr).toMatch(TOO_LARGE);
      }
    });
});

describe('a record of exactly the limit, its delimiter split across two reads', () => {
  for (const starter of ['python', 'perl'])
    it(`is passed on whole (a worker's output, starter ${starter})`, async ({ expect }) => {
      const go = join(tempDir(), 'go');
      execFileSync('mkfifo', [go]);
      // `a` goes out at once, which shows the first write was read; then the `\n` of the record's
      // `\r\n` comes in a read of its own. The FIFO is opened first, for reading and writing, so
      // that the test's write finds it open.
      const script = [
        'import os,sys',
        `go = os.open("${go}", os.O_RDWR)`,
        'sys.stdin.buffer.read()',
        `os.write(1, b"a\\r\\n" + b"x" * ${LIMIT} + b"\\r")`,
        'os.read(go, 1)',
        'os.write(1, b"\\nb\\r\\n")',
      ].join('\n');
      const child = spawnManifold(
        [
          'fan',
          '--max-record',
          '1K',
          '--join',
          'delim:\\r\\n',
          '--',
          '/usr/bin/python3',
          '-c',
          script,
        ],
        { MANIFOLD_STARTER: starter },
      );
      child.stdin?.end('a\n');
      const out = watch(child.stdout!);
      const stderr = collect(child.stderr);
      await within(out.waitFor(/^a\r$/, 1), 20_000, () => `no first record: ${out.text}`);
      expect(releaseFifo(go)).toBe(true);
      const exit = await waitForExit(child);
      expect({ code: exit.exitCode, stderr: (await stderr).toString() }).toEqual({
        code: 0,
        stderr: '',
      });
      expect(out.text).toBe(`a\r\n${'x'.repeat(LIMIT)}\r\nb\r\n`);
    });
});

describe("the input's last record, ended by the input's end", () => {
  const splits: [split: string[], record: (size: number) => string][] = [
    [['--split', 'start:>'], (n) => `>${'y'.repeat(n - 1)}`],
    [['--split', 'between:\\n|>'], (n) => `>${'y'.repeat(n - 1)}`],
    [['--regexp', '--recend', ','], (n) => 'y'.repeat(n)],
    [['--regexp', '--recstart', '^>'], (n) => `>${'y'.repeat(n - 1)}`],
  ];
  for (const [split, record] of splits)
    it(`${split.join(' ')}: measured as any, the limit passes, one byte over fails`, async ({
      expect,
    }) => {
      const first = split.includes(',') ? 'a,' : '>a\n';
      const at = await fan(
        ['--max-record', '1K', ...split, '--', 'wc', '-c'],
        first + record(LIMIT),
      );
      expect({ exitCode: at.exitCode, stderr: at.stderr }).toEqual({ exitCode: 0, stderr: '' });
      const over = await fan(
        ['--max-record', '1K', ...split, '--', 'wc', '-c'],
        first + record(LIMIT + 1),
      );
      expect(over.exitCode, over.stderr).toBe(1);
      expect(over.stderr).toMatch(
        /^manifold: stdin:2: record is larger than the maximum record size 1 KiB \(1 KiB \+ 1 B( so far)?\)/,
      );
    });
});
