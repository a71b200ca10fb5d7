import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { parseFraming } from '../../filters/index.js';
import { placeInFiles } from '../../orchestrator/fan/input-places.js';
import { fan } from '../support/fan-run.js';
import { tempDir } from '../support/temp.js';

// Several --input files are one stream, as `cat a b |` gives it, and its records are numbered
// through all of them. A message about one record said its number in that stream (`input:5`,
// for the second line of the second file); it now names the file where the record begins and
// its number there, as `sed -n 2p b.log` finds it. Where that cannot be told (stdin read among
// the files before it), it is said as before.

const LIMIT = ['--max-record', '10'];
const LIMIT20 = ['--max-record', '20'];
const LONG = 'x'.repeat(23);
const tooLarge = (place: string, size = '23 B', limit = '10 B') =>
  `manifold: ${place}: record is larger than the maximum record size ${limit} (${size}); raise it with --max-record\n`;

function files(contents: Record<string, string | Buffer>): (name: string) => string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(contents)) writeFileSync(join(dir, name), content);
  return (name) => join(dir, name);
}

describe('a record of several --input files is named in the file where it begins', () => {
  it('lines: the second line of the second file is b:2 (was input:5)', async ({ expect }) => {
    const at = files({ a: 'a1\na2\na3\n', b: `b1\n${LONG}\nb3\n`, empty: '' });
    const result = await fan([...LIMIT, '--input', at('a'), '--input', at('b'), '--', 'cat']);
    expect([result.exitCode, result.stderr]).toEqual([1, tooLarge(`${at('b')}:2`)]);
    // Empty files before and between change nothing; --header's lines are records too.
    const around = ['--input', at('empty'), '--input', at('a'), '--input', at('empty')];
    const more = await fan([...LIMIT, ...around, '--input', at('b'), '--', 'cat']);
    expect(more.stderr).toBe(tooLarge(`${at('b')}:2`));
    const header = await fan([
      ...LIMIT,
      '--header',
      '1',
      '--input',
      at('a'),
      '--input',
      at('b'),
      '--',
      'cat',
    ]);
    expect(header.stderr).toBe(tooLarge(`${at('b')}:2`));
  });

  it('--regexp: a record cut by an expression is named in its file too (was input:5)', async ({
    expect,
  }) => {
    const at = files({ a: 'a1\na2\na3\n', b: `b1\n${LONG}\nb3\n` });
    const args = ['--regexp', '--recend', '\\n', '--header', '1', '--input', at('a')];
    const result = await fan([...LIMIT, ...args, '--input', at('b'), '--', 'cat']);
    // Sized as --split lines sizes it: what the end expression matched is its delimiter.
    expect([result.exitCode, result.stderr]).toEqual([1, tooLarge(`${at('b')}:2`, '23 B')]);
  });

  it('a file whose last line lacks its newline goes on in the next: numbered as sed numbers each file', async ({
    expect,
  }) => {
    // a's last record is `a2b1`: b's line 1 ends it, so the long line is b's line 2.
    const at = files({ a: 'a1\na2', b: `b1\n${LONG}\n`, c: `a1\n${LONG}`, d: 'yz\n' });
    const next = await fan([...LIMIT, '--input', at('a'), '--input', at('b'), '--', 'cat']);
    expect(next.stderr).toBe(tooLarge(`${at('b')}:2`));
    // A record that begins in one file and ends in the next is named where it begins.
    const spans = await fan([...LIMIT, '--input', at('c'), '--input', at('d'), '--', 'cat']);
    expect(spans.stderr).toBe(tooLarge(`${at('c')}:2`, '23 B so far'));
  });

  it('read again a MiB at a time: records before, at and after a read boundary', async ({
    expect,
  }) => {
    // 1 MiB of 8-byte lines exactly (131,072 of them), so a read of the file again ends on a
    // record's end; then 1 MiB + 1 line.
    const line = `${'r'.repeat(7)}\n`;
    const mib = line.repeat(131_072);
    const at = files({ mib, more: `${mib}${line}${LONG}\n`, b: `${LONG}\n`, c: `c\n${LONG}\n` });
    const first = await fan([...LIMIT20, '--input', at('mib'), '--input', at('b'), '--', 'cat']);
    expect(first.stderr).toBe(tooLarge(`${at('b')}:1`, '23 B', '20 B'));
    const past = await fan([...LIMIT20, '--input', at('more'), '--input', at('c'), '--', 'cat']);
    expect(past.stderr).toBe(tooLarge(`${at('more')}:131074`, '23 B', '20 B'));
    const after = await fan([
      ...LIMIT20,
      '--input',
      at('mib'),
      '--input',
      at('mib'),
      '--input',
      at('c'),
      '--',
      'cat',
    ]);
    expect(after.stderr).toBe(tooLarge(`${at('c')}:2`, '23 B', '20 B'));
  });

  it('NUL records, frames and a JSON key: each named in its file', async ({ expect }) => {
    const frame = (text: string) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(text.length);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    const at = files({
      a: 'a1\0a2\0',
      b: `b1\0${LONG}\0`,
      fa: Buffer.concat([frame('one'), frame('two')]),
      fb: Buffer.concat([frame('three'), frame(LONG)]),
      ja: '{"k":1}\n{"k":2}\n',
      jb: '{"k":3}\n{bad\n',
    });
    const nul = await fan([...LIMIT, '-0', '--input', at('a'), '--input', at('b'), '--', 'cat']);
    expect(nul.stderr).toBe(tooLarge(`${at('b')}:2`));
    const frames = await fan([
      ...LIMIT,
      '--split',
      'frames',
      '--input',
      at('fa'),
      '--input',
      at('fb'),
      '--',
      'cat',
    ]);
    expect(frames.stderr).toBe(tooLarge(`${at('fb')}:2`));
    const hashed = [
      '--dispatch',
      'hash',
      '--key',
      'json:k',
      '--input',
      at('ja'),
      '--input',
      at('jb'),
    ];
    const json = await fan([...hashed, '--', 'cat']);
    expect(json.exitCode).toBe(1);
    expect(json.stderr).toMatch(new RegExp(`^manifold: ${at('jb')}:2: invalid JSON`));
  });

  it('stdin read among the files before it: the place in the stream, as before', async ({
    expect,
  }) => {
    const at = files({ a: 'a1\n', b: `b1\n${LONG}\n` });
    const piped = await fan(
      [...LIMIT, '--input', '-', '--input', at('b'), '--', 'cat'],
      's1\ns2\n',
    );
    expect(piped.stderr).toBe(tooLarge('input:4'));
    // After it, stdin is not read again: a record of a file before it is named.
    const before = await fan([...LIMIT, '--input', at('b'), '--input', '-', '--', 'cat'], 's1\n');
    expect(before.stderr).toBe(tooLarge(`${at('b')}:2`));
  });
});

describe('placeInFiles', () => {
  const lines = parseFraming('lines');
  it('a byte of the stream is a byte of the file it lies in; past their end, or a /proc file, null', ({
    expect,
  }) => {
    const at = files({ a: 'abcd', b: 'efgh' });
    const both = [at('a'), at('b')];
    expect(placeInFiles({ input: 'input', byte: 4 }, both, lines)).toEqual({
      input: at('a'),
      byte: 4,
    });
    expect(placeInFiles({ input: 'input', byte: 5 }, both, lines)).toEqual({
      input: at('b'),
      byte: 1,
    });
    expect(placeInFiles({ input: 'input', byte: 9 }, both, lines)).toBeNull();
    expect(placeInFiles({ input: 'input', record: 2 }, both, lines)).toBeNull();
    expect(
      placeInFiles({ input: 'input', byte: 1 }, ['/proc/self/status', at('a')], lines),
    ).toBeNull();
    expect(placeInFiles({ input: 'input', record: 1 }, [join(at('a'), 'none')], lines)).toBeNull();
  });
});

// A block's range was counted through the stream (`block 2 (records 5-8)`) where its records
// are the second file's; it is now named in the files where they lie, as a record is.
describe('a block of several --input files is named by its files and their record numbers', () => {
  const six = (prefix: string) => [1, 2, 3, 4, 5, 6].map((i) => `${prefix}${i}\n`).join('');
  // Lines of 3 bytes, --block 12: four to a block, a6's last two and b6's first two in block 2.
  const blocks = ['-j', '1', '--block', '12'];
  const failOn = (line: string) => ['sh', '-c', `grep -q '^${line}$' && exit 3; cat`];
  const failed = (line: string, on: string) =>
    `manifold: worker 1 (pid N: sh -c grep -q '^${line}$' && exit 3; cat) exited with status 3${on}\n`;
  const pidless = (stderr: string) => stderr.replace(/pid \d+/, 'pid N');

  it('a per-block failure: in one file, across two, and over a record begun in the file before', async ({
    expect,
  }) => {
    const at = files({ a: six('a'), b: six('b'), c: 'x\ny', d: 'z\nw\n' });
    const both = [...blocks, '--per-block', '--input', at('a'), '--input', at('b')];
    const inB = await fan([...both, '--', ...failOn('b5')]);
    expect([inB.exitCode, pidless(inB.stderr)]).toEqual([
      1,
      failed('b5', ` on block 3 (${at('b')}:3-6)`),
    ]);
    const across = await fan([...both, '--', ...failOn('b1')]);
    expect(pidless(across.stderr)).toBe(
      failed('b1', ` on block 2 (${at('a')}:5-6, ${at('b')}:1-2)`),
    );
    // c's last line `y` lacks its newline: `yz` is c:2, and `w` is d's line 2, as sed numbers it.
    const begun = ['--per-block', '-j', '1', '--input', at('c'), '--input', at('d')];
    const spans = await fan([...begun, '--', ...failOn('yz')]);
    expect(pidless(spans.stderr)).toBe(failed('yz', ` on block 1 (${at('c')}:1-2, ${at('d')}:2)`));
    // Past three files, the first and the last.
    const many = ['--input', at('a'), '--input', at('c'), '--input', at('d'), '--input', at('b')];
    const long = await fan(['--per-block', '-j', '1', ...many, '--', ...failOn('yz')]);
    expect(pidless(long.stderr)).toBe(
      failed('yz', ` on block 1 (${at('a')}:1-6 to ${at('b')}:1-6, 4 files)`),
    );
  });

  it("a worker's output over --max-record, named by its block's files", async ({ expect }) => {
    const at = files({ a: six('a'), b: six('b') });
    const both = [...blocks, '--per-block', ...LIMIT, '--input', at('a'), '--input', at('b')];
    const long = ['sh', '-c', `grep -q '^b5$' && echo ${LONG}; cat`];
    const expected = `manifold: worker 1 output of block 3 (${at('b')}:3-6): record is larger than the maximum record size 10 B (N B so far); raise it with --max-record\n`;
    for (const merge of ['ready', 'ordered']) {
      const result = await fan([...both, '--merge', merge, '--', ...long]);
      const stderr = result.stderr.replace(/\d+ B so far/, 'N B so far');
      expect([merge, result.exitCode, stderr]).toEqual([merge, 1, expected]);
    }
  });

  it("--merge sorted: a run out of order, and a record over --max-record, by its block's files", async ({
    expect,
  }) => {
    const at = files({ a: six('a'), b: six('b') });
    const both = [
      ...blocks,
      '--per-block',
      '--merge',
      'sorted',
      '--input',
      at('a'),
      '--input',
      at('b'),
    ];
    const unsorted = await fan([
      ...both,
      '--',
      'sh',
      '-c',
      'x=$(cat); case "$x" in *b5*) echo "$x" | sort -r;; *) echo "$x";; esac',
    ]);
    expect([unsorted.exitCode, unsorted.stderr]).toEqual([
      1,
      `manifold: worker 1 output of block 3 (${at('b')}:3-6):2: not sorted by the key: --merge sorted needs every worker to write sorted output\n`,
    ]);
    const long = ['sh', '-c', `grep -q '^b5$' && echo ${LONG}; cat`];
    const over = await fan([...both, ...LIMIT, '--', ...long]);
    expect([over.exitCode, over.stderr.replace(/\d+ B so far/, 'N B so far')]).toEqual([
      1,
      `manifold: worker 1 output of block 3 (${at('b')}:3-6):1: record is larger than the maximum record size 10 B (N B so far); raise it with --max-record\n`,
    ]);
  });

  it('unattributed workers: the blocks by their bytes in each file', async ({ expect }) => {
    const at = files({ a: six('a'), b: six('b') });
    const result = await fan([
      ...blocks,
      '--input',
      at('a'),
      '--input',
      at('b'),
      '--',
      ...failOn('b5'),
    ]);
    expect(pidless(result.stderr)).toBe(
      failed(
        'b5',
        `; it had been given 3 blocks, from block 1 (${at('a')}: bytes 1-12) to block 3 (${at('b')}: bytes 7-18)`,
      ),
    );
  });

  it('stdin among the files: counted through the stream, as before', async ({ expect }) => {
    const at = files({ a: six('a'), b: six('b') });
    const args = [...blocks, '--per-block', '--input', at('a'), '--input', '-'];
    const result = await fan([...args, '--', ...failOn('b5')], six('b'));
    expect(pidless(result.stderr)).toBe(failed('b5', ' on block 3 (records 9-12)'));
  });
});
