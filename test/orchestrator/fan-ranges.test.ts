import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseFraming } from '../../filters/index.js';
import { rangeCut } from '../../orchestrator/fan/range-cut.js';
import { RangeReader } from '../../orchestrator/fan/range-input.js';
import { Splitter } from '../../orchestrator/fan/splitter.js';
import { fan as fanApi } from '../../orchestrator/index.js';
import { manifold, type Result, run } from '../helpers.js';
import { randoms } from '../support/data.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { C } from '../support/fan-run.js';
import { encode, framingOf } from '../support/framing.js';
import { STREAM_COUNTED_LINE, STREAM_ENDS_LINE } from '../support/lines.js';
import { fileTempDir, writeConfig } from '../support/temp.js';

// A regular file as input is read as byte ranges (orchestrator/fan/range-input.ts): blocks cut by
// looking near their ends only, read with pread into reused buffers. Checked against the
// counting splitter's blocks, and end to end against the same input through a pipe.

const tempDir = () => fileTempDir('manifold-fan-ranges-');
const RANGES = /input: \S+ is read as byte ranges/;
/** The line that says a ready merge's output is written by the process starter (docs/fan.md). */
const RELAYED = /output: the process starter writes/;

/** Records of varied sizes, some holding bytes of a multi-byte delimiter, some empty. */
function recordsFor(count: number, seed: number): Buffer[] {
  const pick = randoms(seed);
  const bits = ['a', '\r', 'x\ny', '\xff', ' ', 'bb', '\n'];
  return Array.from({ length: count }, () =>
    Buffer.from(Array.from({ length: pick(9) }, () => bits[pick(bits.length)]).join(''), 'latin1'),
  );
}

async function rangeBlocks(file: string, framing: string, block: number): Promise<Buffer[]> {
  const cut = rangeCut(parseFraming(framing))!;
  const fd = openSync(file, 'r');
  try {
    const reader = new RangeReader({ fd, name: file, start: 0, owned: true }, cut, block, 1 << 20);
    const blocks: Buffer[] = [];
    for await (const b of reader.blocks(
      async () => {},
      () => false,
    )) {
      blocks.push(Buffer.concat(b.parts));
      b.release?.();
    }
    return blocks;
  } finally {
    closeSync(fd);
  }
}

describe('a file read as ranges', () => {
  for (const framing of ['lines', 'delim:\\r\\n', 'delim:<-->', 'fixed:3']) {
    it(`cuts ${framing} blocks where the counting splitter does, at every block size`, async () => {
      const dir = tempDir();
      const ref = framingOf(framing);
      const records = recordsFor(40, 3).filter((r) => ref.kind !== 'fixed' || r.length > 0);
      for (const final of [true, false]) {
        const input =
          ref.kind === 'fixed'
            ? Buffer.concat(records.map((r) => Buffer.concat([r, Buffer.alloc(3)]).subarray(0, 3)))
            : encode(
                ref,
                ref.kind === 'delim' ? records.filter((r) => !r.includes(ref.delimiter)) : records,
                final,
              );
        const file = join(dir, `in-${final}`);
        writeFileSync(file, input);
        // Every block size up to past the largest record: ends on a boundary, inside the
        // delimiter, just after it.
        for (let size = 1; size <= 30; size++) {
          const splitter = new Splitter(parseFraming(framing), size, 1 << 20);
          const expected = [...splitter.push(Buffer.from(input)), ...splitter.end()].map((b) =>
            Buffer.concat(b.parts),
          );
          expect(await rangeBlocks(file, framing, size), `block ${size}`).toEqual(expected);
        }
      }
    });
  }

  it('leaves framings whose ends are not found from behind to the stream', () => {
    expect(rangeCut(parseFraming('frames'))).toBeNull();
    expect(rangeCut(parseFraming('delim:aa'))).toBeNull();
    expect(rangeCut(parseFraming('delim:abab'))).toBeNull();
    expect(rangeCut(parseFraming('delim:ab'))).not.toBeNull();
  });
});

// Three runs of manifold per case, some of hundreds of blocks: allowed a minute on a busy host.
describe.concurrent('manifold fan: input from a file and from a pipe give the same output', {
  timeout: 60_000,
}, () => {
  const pick = randoms(11);
  const records = Array.from({ length: 30_000 }, (_, i) =>
    Buffer.from(`k${pick(50)} ${'\xfe\x01'.repeat(pick(3))}${'v'.repeat(pick(30))} ${i}`, 'latin1'),
  );

  async function both(dir: string, input: Buffer, args: string[], options = {}) {
    const file = join(dir, 'input');
    writeFileSync(file, input);
    const fromFile = await run(
      manifold,
      ['fan', '--verbose', '--input', file, ...args],
      '',
      options,
    );
    const fromStdin = await run(
      'sh',
      ['-c', `exec "$@" < ${file}`, 'sh', manifold, 'fan', '--verbose', ...args],
      '',
      options,
    );
    const fromPipe = await run(manifold, ['fan', ...args], input, options);
    return { fromFile, fromStdin, fromPipe };
  }

  const same = (a: Result, b: Result) => byteDiff(a.stdout, b.stdout);

  const cases: [string, string[]][] = [
    // Blocks of 5 bytes: every block one record, cut inside frames' length prefixes.
    ['one worker', ['-j', '1', '--block', '5', '--', 'cat']],
    ['4K blocks', ['-j', '1', '--block', '4K', '--', 'cat']],
    ['sorted', ['-j', '3', '--block', '4K', '--merge', 'sorted', '--', 'sort']],
    ['ordered', ['-j', '3', '--block', '4K', '--merge', 'ordered', '--one-to-one', '--', 'cat']],
  ];
  for (const framing of ['lines', 'nul', 'delim:\\r\\n', 'fixed:16', 'frames']) {
    const ref = framingOf(framing);
    const encoded = (list: Buffer[]) =>
      ref.kind === 'fixed'
        ? Buffer.concat(list.map((r) => Buffer.concat([r, Buffer.alloc(16, 0x2e)]).subarray(0, 16)))
        : encode(ref, list);
    for (const [merge, args] of cases) {
      if (merge === 'sorted' && framing !== 'lines') continue;
      it(`${framing}, ${merge}`, async () => {
        const input = encoded(merge === 'one worker' ? records.slice(0, 400) : records);
        const { fromFile, fromStdin, fromPipe } = await both(
          tempDir(),
          input,
          ['--split', framing, ...args],
          merge === 'sorted' ? C : {},
        );
        expect(fromPipe.exitCode).toBe(0);
        expect(same(fromFile, fromPipe)).toEqual(sameBytes(fromPipe.stdout));
        expect(same(fromStdin, fromPipe)).toEqual(sameBytes(fromPipe.stdout));
        if (merge !== 'sorted') {
          expect(byteDiff(fromPipe.stdout, input)).toEqual(sameBytes(input));
        }
        // Ranges where they apply: a framing found from behind (attributed workers too).
        const ranged = framing !== 'frames';
        expect(RANGES.test(fromFile.stderr), fromFile.stderr).toBe(ranged);
        expect(RANGES.test(fromStdin.stderr)).toBe(ranged);
      });
    }
  }

  it('one huge record among small ones, and one over --max-record named by number, or on a pipe by its first byte', async () => {
    const huge = Buffer.concat([
      Buffer.from('small\n'.repeat(1000)),
      Buffer.alloc(3 << 20, 0x68),
      Buffer.from('\nafter\n'.repeat(1000)),
    ]);
    const dir = tempDir();
    const ok = await both(dir, huge, ['-j', '2', '--block', '64K', '--', 'wc', '-c']);
    expect(RANGES.test(ok.fromFile.stderr)).toBe(true);
    const total = (r: Result) =>
      r.stdout
        .toString()
        .trim()
        .split('\n')
        .reduce((n, line) => n + Number(line), 0);
    expect([total(ok.fromFile), total(ok.fromStdin)]).toEqual([huge.length, huge.length]);
    const tooLarge = await both(dir, huge, ['--block', '64K', '--max-record', '1M', '--', 'cat']);
    // Named as the input is: the file given with --input, or stdin. A file is read again to
    // number the record; a pipe's records are not counted, so it names the record's first byte
    // (1-based, as `tail -c +6001` shows it).
    const named: [Result, string][] = [
      [tooLarge.fromFile, `${join(dir, 'input')}:1001`],
      [tooLarge.fromStdin, 'stdin:1001'],
      [tooLarge.fromPipe, 'stdin: byte 6001'],
    ];
    for (const [r, where] of named) {
      expect(r.exitCode).toBe(1);
      const line = r.stderr
        .split('\n')
        .filter((l) => !RANGES.test(l) && !RELAYED.test(l))
        .join('\n');
      expect(line).toMatch(
        /^manifold: [^\n]+: record is larger than the maximum record size 1 MiB \(.* so far\); raise it with --max-record\n$/,
      );
      expect(line.startsWith(`manifold: ${where}: record is larger`), line).toBe(true);
    }
    expect(huge.subarray(6000, 6001).toString()).toBe('h');
  });

  it("counts a pipe's records only where something asks for their numbers, a block at a time where it can", async () => {
    const input = Buffer.from(records.map((r) => `${r.toString('latin1')}\n`).join(''), 'latin1');
    // How the stream's blocks are cut: near their ends, uncounted or counted a block at a
    // time; or every record found as it comes.
    const cases: [string[], 'uncounted' | 'per block' | 'per record'][] = [
      [['-j', '2', '--block', '4K'], 'uncounted'],
      [['-j', '2', '--block', '4K', '--dispatch', 'round-robin'], 'uncounted'],
      [['-j', '2', '--block', '4K', '--stats', '/dev/null'], 'per block'],
      [['-j', '2', '--block', '4K', '--max-record', '1K'], 'per record'],
      [['-j', '2', '--block', '4K', '--merge', 'ordered', '--one-to-one'], 'per block'],
      [['-j', '2', '--block', '4K', '--merge', 'ordered'], 'per block'],
      [
        [
          '-j',
          '2',
          '--block',
          '4K',
          '--merge',
          'ordered',
          '--one-to-one',
          '--split',
          'delim:\\r\\n',
        ],
        'per record',
      ],
      [['-j', '2', '--block', '4K', '--split', 'delim:\\r\\n'], 'per record'],
    ];
    for (const [args, how] of cases) {
      const r = await run(manifold, ['fan', '--verbose', ...args, '--', 'cat'], input);
      expect(r.exitCode, r.stderr).toBe(0);
      const said = STREAM_COUNTED_LINE.test(r.stderr)
        ? 'per block'
        : STREAM_ENDS_LINE.test(r.stderr)
          ? 'uncounted'
          : 'per record';
      expect(said, `${args.join(' ')}: ${r.stderr}`).toBe(how);
      const sorted = (b: Buffer) => b.toString('latin1').split('\n').sort().join('\n');
      expect(sorted(r.stdout) === sorted(input), args.join(' ')).toBe(true);
    }
  });

  it('a record over --max-record but within a block is refused from a file as from a pipe (no ranges then)', async () => {
    const dir = tempDir();
    const input = Buffer.from('short\nthis record is too long\nshort\n');
    const r = await both(dir, input, ['--max-record', '8', '--', 'cat']);
    for (const [result, name] of [
      [r.fromFile, join(dir, 'input')],
      [r.fromStdin, 'stdin'],
      [r.fromPipe, 'stdin'],
    ] as const) {
      expect(result.exitCode).toBe(1);
      expect(result.stderr).not.toMatch(RANGES);
      expect(result.stderr).toContain(
        `manifold: ${name}:2: record is larger than the maximum record size 8 B`,
      );
    }
  });

  it('reads stdin from where its offset was left', async () => {
    const dir = tempDir();
    const file = join(dir, 'input');
    writeFileSync(file, 'first line\nsecond\nthird\n');
    // The shell's `read` leaves the offset just past the line it read (it seeks back).
    const result = await run('sh', [
      '-c',
      `{ read -r first; exec "$@"; } < ${file}`,
      'sh',
      manifold,
      'fan',
      '--verbose',
      '-j',
      '1',
      '--',
      'cat',
    ]);
    expect(RANGES.test(result.stderr)).toBe(true);
    expect(result.stdout.toString()).toBe('second\nthird\n');
  });

  // Ranges are read at offsets, which left stdin's offset where it stood: the next reader of the
  // same open file (`{ manifold fan ...; cat; } < file`) read it all again, as `cat` would not.
  it.each([
    ['the ready merge (blocks sent by the process starter)', ['fan', '-j', '2', '--', 'cat']],
    ['per-block workers', ['fan', '-j', '2', '--merge', 'ordered', '--', 'cat']],
    ['--one-to-one', ['fan', '--one-to-one', '--merge', 'ordered', '--', 'cat']],
    ['threads (blocks held)', ['fan', '-j', '2', '--threads', '--', 'mf-map', 'r']],
    ['workers that end early (head -1)', ['fan', '-j', '1', '--', 'head', '-1']],
  ])('leaves stdin past what it read, as cat does: %s', async (_, args) => {
    const dir = tempDir();
    const file = join(dir, 'input');
    writeFileSync(file, Array.from({ length: 50_000 }, (_, i) => `line ${i}\n`).join(''));
    const result = await run('sh', [
      '-c',
      `{ read -r first; "$@" > ${dir}/out; cat; } < ${file}`,
      'sh',
      manifold,
      args[0]!,
      '--verbose',
      ...args.slice(1),
    ]);
    expect(RANGES.test(result.stderr)).toBe(true);
    expect({ exitCode: result.exitCode, next: result.stdout.toString() }).toEqual({
      exitCode: 0,
      next: '',
    });
  });

  it('leaves a descriptor the library was given, and a config run on stdin, past what was read', async () => {
    const dir = tempDir();
    const file = join(dir, 'input');
    writeFileSync(file, 'a\nb\nc\n');
    const fd = openSync(file, 'r');
    try {
      const output = new Writable({ write: (_c, _e, done) => done() });
      await fanApi({ command: ['cat'] }, { input: fd, output });
      expect(readSync(fd, Buffer.alloc(8), 0, 8, null)).toBe(0);
    } finally {
      closeSync(fd);
    }
    const config = writeConfig(dir, { stages: [{ name: 'f', fan: { worker: 'cat' } }] });
    const result = await run('sh', [
      '-c',
      `{ "$@" > /dev/null; cat; } < ${file}`,
      'sh',
      manifold,
      'run',
      config,
    ]);
    expect({ exitCode: result.exitCode, next: result.stdout.toString() }).toEqual({
      exitCode: 0,
      next: '',
    });
  });
});

describe('manifold fan: files that do not hold their size', () => {
  it('reads a file of /proc (size 0) to its end, as a stream, and an empty file as nothing', async () => {
    const proc = await run(manifold, [
      'fan',
      '--verbose',
      '-j',
      '1',
      '--input',
      '/proc/self/status',
      '--',
      'cat',
    ]);
    expect(proc.exitCode).toBe(0);
    expect(RANGES.test(proc.stderr)).toBe(false);
    expect(proc.stdout.toString()).toMatch(/^Name:.*\n(.*\n)*Pid:/);
    const dir = tempDir();
    writeFileSync(join(dir, 'empty'), '');
    const empty = await run(manifold, ['fan', '--input', join(dir, 'empty'), '--', 'cat']);
    expect({ exitCode: empty.exitCode, stdout: empty.stdout.length }).toEqual({
      exitCode: 0,
      stdout: 0,
    });
  });
});

describe.concurrent('manifold fan: a file that changes while it is read', () => {
  const input = Buffer.from('x'.repeat(99).concat('\n').repeat(80_000));

  for (const [how, change] of [
    ['grew', 'printf more >> "$1"'],
    ['shrank', 'truncate -s 100000 "$1"'],
  ] as const) {
    // As ranges; as ranges whose records are counted (--stats, --joblog); and as a stream
    // (--header takes its records off the front, so the file is read and scanned).
    for (const path of ['ranges', '--stats', '--joblog', 'stream'] as const) {
      it(`is an error naming it when it ${how}, not silent loss (${path})`, async () => {
        const dir = tempDir();
        const file = join(dir, 'input');
        writeFileSync(file, input);
        // The worker changes the file once it has read 100 kB (so reading has begun), when 8 MB
        // cannot all have been read: manifold reads two blocks ahead.
        const worker = `head -c 100000 > /dev/null; ${change}; exec cat > /dev/null`;
        const told = {
          ranges: [],
          '--stats': ['--stats', join(dir, 'stats.json')],
          '--joblog': ['--joblog', join(dir, 'joblog.tsv')],
          stream: ['--header', '1'],
        }[path];
        const result = await run(manifold, [
          'fan',
          '-j',
          '1',
          '--block',
          '64K',
          ...told,
          '--verbose',
          '--input',
          file,
          '--',
          'sh',
          '-c',
          worker,
          'sh',
          file,
        ]);
        expect(result.exitCode).toBe(1);
        // Read the way the case says: as ranges, or as a stream.
        expect(RANGES.test(result.stderr), result.stderr).toBe(path !== 'stream');
        // --verbose says how the input is read; the error is one line, no stack trace.
        const lines = result.stderr.trimEnd().split('\n');
        expect(
          lines.every((line) => line.startsWith('manifold: ')),
          result.stderr,
        ).toBe(true);
        expect(lines.filter((line) => line.includes(' while it was read'))).toHaveLength(1);
        expect(result.stderr).toContain(`the input file ${file} ${how} while it was read`);
      });
    }
  }
});
