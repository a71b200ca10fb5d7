import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { C, fan, OK, ok } from '../support/fan-run.js';
import { linesOf, records, sortedLines } from '../support/lines.js';
import { tempDir } from '../support/temp.js';

// --header: each block is given the input's first lines first, as `parallel --pipe --header`
// does, and the output has them once where the merge can. The data are 16-byte numbered lines
// after a header: with --block 1K, block k holds the header's copy, then records 64(k-1)+2 to
// 64k+1 (numbered as the input's lines, the header first).

const HEADER = 'id-of-the-rec.\n'.padStart(16, '#');
const csv = (n: number) => HEADER + records(1, n);

/** Part files named by block, as their workers wrote them. */
function parts(dir: string): string[] {
  return readdirSync(dir)
    .sort((a, b) => Number(a.split('.')[0]) - Number(b.split('.')[0]))
    .map((name) => readFileSync(join(dir, name), 'utf8'));
}

describe('--header n', () => {
  it('gives every per-block worker the header before its records, numbered from after it', async () => {
    const dir = tempDir('manifold-fan-header-');
    const result = await fan(
      [
        '-j',
        '2',
        '--per-block',
        '--block',
        '1K',
        '--header',
        '1',
        '--shell',
        '--',
        `cat > ${dir}/$MANIFOLD_BLOCK.$MANIFOLD_FIRST_RECORD`,
      ],
      csv(640),
    );
    expect(ok(result)).toEqual(OK);
    expect(readdirSync(dir).sort((a, b) => parseInt(a, 10) - parseInt(b, 10))).toEqual(
      Array.from({ length: 10 }, (_, i) => `${i + 1}.${64 * i + 2}`),
    );
    expect(parts(dir)).toEqual(
      Array.from({ length: 10 }, (_, i) => HEADER + records(64 * i + 1, 64 * (i + 1))),
    );
  }, 20_000);

  it('--merge ordered: workers that echo it give it once, at the top: cat gives the input back', async () => {
    for (const attribution of ['--per-block', '--one-to-one']) {
      const result = await fan(
        [
          '-j',
          '3',
          attribution,
          '--block',
          '1K',
          '--header',
          '1',
          '--merge',
          'ordered',
          '--',
          'cat',
        ],
        csv(640),
      );
      expect(ok(result)).toEqual(OK);
      expect(result.stdout.toString()).toBe(csv(640));
    }
  }, 20_000);

  it('--merge ready, persistent workers: each gets it once, the output has it once, first', async () => {
    const result = await fan(['-j', '3', '--block', '1K', '--header', '1', '--', 'cat'], csv(640));
    expect(ok(result)).toEqual(OK);
    const lines = linesOf(result.stdout);
    expect(lines[0]).toBe(HEADER.slice(0, -1));
    expect(sortedLines(`${lines.slice(1).join('\n')}\n`)).toEqual(sortedLines(records(1, 640)));
  }, 20_000);

  it('--merge sorted: the header once, at the top, then the records in order (merged by manifold, not sort -m)', async () => {
    const result = await fan(
      ['-j', '2', '--block', '1K', '--header', '1', '--merge', 'sorted', '--verbose', '--', 'sort'],
      csv(640),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/--merge sorted: manifold merges, since --header/);
    // Each worker's sort puts the header first ('#' sorts before digits): one copy is kept.
    expect(result.stdout.toString()).toBe(`${HEADER}${records(1, 640)}`);
  }, 20_000);

  it('workers that do not echo it are left alone: each counts it among its lines', async () => {
    const result = await fan(
      ['-j', '2', '--block', '1K', '--header', '1', '--merge', 'ordered', '--', 'wc', '-l'],
      csv(640),
    );
    expect(ok(result)).toEqual(OK);
    expect(linesOf(result.stdout).map(Number)).toEqual(new Array(10).fill(65));
  }, 20_000);

  it.each([
    ['ordered', '--per-block'],
    ['ready', '--one-to-one'],
    ['sorted', '--per-block'],
  ])(
    "--tag, --merge %s: the header, no worker's output, has an empty tag; records keep theirs",
    async (merge, attribution) => {
      // parallel --pipe --header : --tag tags each line with the job's argument, empty under
      // --pipe: every line keeps its TAB-separated tag column, cut -f2- gives the input back.
      const command = merge === 'sorted' ? 'sort' : 'cat';
      const result = await fan(
        [
          '-j',
          '2',
          attribution,
          '--block',
          '1K',
          '--header',
          '1',
          '--tag',
          '--merge',
          merge,
          '--',
          command,
        ],
        csv(640),
        C,
      );
      expect(ok(result)).toEqual(OK);
      const lines = linesOf(result.stdout);
      expect(lines[0]).toBe(`\t${HEADER.slice(0, -1)}`);
      expect(lines.slice(1).every((line) => /^[12]\t\d/.test(line))).toBe(true);
      const untagged = lines.slice(1).map((line) => line.slice(line.indexOf('\t') + 1));
      expect(sortedLines(`${untagged.join('\n')}\n`)).toEqual(sortedLines(records(1, 640)));
    },
    20_000,
  );

  it('--header 2 takes two lines', async () => {
    const two = `${HEADER}${HEADER.replace('#', '%')}`;
    const result = await fan(
      ['-j', '2', '--block', '1K', '--header', '2', '--merge', 'ordered', '--', 'cat'],
      two + records(1, 200),
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe(two + records(1, 200));
  }, 20_000);

  // An input shorter than the header printed nothing: it was all header, and no worker ran.
  // As `parallel --pipe --header` (whose header pattern then never matches), it is no header:
  // what there is goes to a worker as records, so `cat` writes it and `wc -l` counts it. A
  // header with no records after it runs no worker, as there.
  const short: [string, string, string[], string][] = [
    ['', '1', ['cat'], ''],
    ['h', '1', ['cat'], 'h'],
    ['h\n', '1', ['cat'], ''],
    ['h\n', '2', ['cat'], 'h\n'],
    ['h1\nh2', '2', ['cat'], 'h1\nh2'],
    ['h1\nh2\n', '2', ['cat'], ''],
    ['h1\n', '3', ['wc', '-l'], '1\n'],
  ];
  for (const way of [['--per-block'], ['--merge', 'ordered'], []]) {
    it(`an input shorter than the header is records, as parallel --pipe --header takes it (${way.join(' ') || 'ready'})`, async () => {
      for (const [input, n, command, out] of short) {
        // One worker: a persistent `wc -l` given nothing would say 0 as well.
        const result = await fan(['-j', '1', '--header', n, ...way, '--', ...command], input);
        const what = `${JSON.stringify(input)} --header ${n}`;
        expect(ok(result), what).toEqual(OK);
        expect(result.stdout.toString().replace(/^ +/, ''), what).toBe(out);
      }
    }, 30_000);
  }

  it('frames: a frame cut off is a truncated frame, as without --header, not quietly all header', async () => {
    // Text as frames: its first four bytes say 1.6 GiB, refused at that header, with --header
    // and without (not read on as a truncated frame).
    const frame = (text: string) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(text.length);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    const text = 'hello world\nline two\n';
    for (const args of [['--header', '1'], []]) {
      const result = await fan([...args, '--split', 'frames', '--', 'cat'], text);
      expect(result.exitCode, String(args)).toBe(1);
      expect(result.stderr).toMatch(/^manifold: stdin:1: frame header says 1\.6 GiB, more than /);
    }
    const whole = Buffer.concat([frame('title'), frame('one'), frame('two')]);
    const cut = await fan(
      ['--header', '1', '--split', 'frames', '--', 'cat'],
      Buffer.concat([whole, Buffer.from([0, 0])]),
    );
    expect(cut.exitCode).toBe(1);
    expect(cut.stderr).toMatch(/truncated frame/);
    const fine = await fan(['--header', '1', '--split', 'frames', '--', 'cat'], whole);
    expect(ok(fine)).toEqual(OK);
    expect(fine.stdout).toEqual(whole);
  }, 20_000);
});

describe('--header auto', () => {
  const table = (rows: number) =>
    Array.from({ length: rows }, (_, i) => `${i + 1},${(i * 7) % 13}.5,item${i % 10}\n`).join('');

  it('takes a CSV header line (its columns of numbers have a title that is not one)', async () => {
    const dir = tempDir('manifold-fan-header-');
    const input = `id,price,name\n${table(300)}`;
    const result = await fan(
      [
        '-j',
        '2',
        '--per-block',
        '--block',
        '2K',
        '--header',
        'auto',
        '--shell',
        '--',
        `cat > ${dir}/$MANIFOLD_BLOCK.csv`,
      ],
      input,
    );
    expect(ok(result)).toEqual(OK);
    const written = parts(dir);
    expect(written.length).toBeGreaterThan(1);
    for (const part of written) expect(part.startsWith('id,price,name\n')).toBe(true);
    expect(written.map((part) => part.slice('id,price,name\n'.length)).join('')).toBe(table(300));
  }, 20_000);

  it('takes nothing from a file without one (and TSV is read on TABs)', async () => {
    for (const input of [table(300), table(300).replaceAll(',', '\t')]) {
      const result = await fan(
        ['-j', '2', '--block', '2K', '--header', 'auto', '--merge', 'ordered', '--', 'cat'],
        input,
      );
      expect(ok(result)).toEqual(OK);
      expect(result.stdout.toString()).toBe(input);
    }
    const tsv = `id\tprice\tname\n${table(300).replaceAll(',', '\t')}`;
    const result = await fan(
      [
        '-j',
        '2',
        '--per-block',
        '--block',
        '2K',
        '--header',
        'auto',
        '--merge',
        'ordered',
        '--',
        'head',
        '-n',
        '1',
      ],
      tsv,
    );
    expect(ok(result)).toEqual(OK);
    expect(linesOf(result.stdout)).toEqual(['id\tprice\tname']);
  }, 20_000);

  // GNU parallel's spelling of a one-line header was refused as a usage error (exit 2).
  it('--header : is --header 1, as parallel --pipe --header : takes the first line', async () => {
    const input = `${HEADER}${records(1, 100)}`;
    const result = await fan(
      [
        '-j',
        '2',
        '--block',
        '1K',
        '--header',
        ':',
        '--per-block',
        '--merge',
        'ordered',
        '--',
        'cat',
      ],
      input,
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe(input);
    const counted = await fan(['-j', '1', '--header', ':', '--', 'wc', '-l'], input);
    expect(ok(counted)).toEqual(OK);
    expect(counted.stdout.toString().trim()).toBe('101');
  }, 20_000);

  // Past the most (1000000) the line did not say there was one (QA).
  it.each(['x', '-1', '1.5', '1000001'])('--header %s is a usage error', async (value) => {
    const result = await fan(['--header', value, '--', 'cat'], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      `manifold: --header must be a number of lines (records) up to 1000000, : for one (as GNU parallel), or auto for a CSV or TSV file's one header line (got ${value}) (see 'manifold fan --help')\n`,
    );
  });
});

// With records of two lines (-L 2), auto took two lines, a data row given to every block with
// the header (QA: each block's wc -l said 4 where parallel --header 1 -L 2 says 3, 3, 2).
describe('--header auto with records that are not lines', () => {
  it.each([
    [['-L', '2'], 'lines:2'],
    [['--split', 'ndjson'], 'ndjson'],
  ])('%j is a usage error naming them', async (split, name) => {
    const result = await fan([...split, '--header', 'auto', '--', 'cat'], 'id,name\n1,a\n');
    expect([result.exitCode, result.stdout.toString()]).toEqual([2, '']);
    expect(result.stderr).toBe(
      `manifold: --header auto reads a CSV or TSV header line, and records here are ${name}: give a number of records (see 'manifold fan --help')\n`,
    );
  });
});
