import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fasta } from '../support/data.js';
import { C, fan, OK, ok, statsOf } from '../support/fan-run.js';
import { fileWith, tempDir } from '../support/temp.js';

// Records that begin with a string through `manifold fan`: FASTA cut by --recend '\n' --recstart
// '>' (parallel's spelling) or --split start:/between:, from a pipe and from a file, at blocks
// far smaller than a record: every block holds whole records, and the merges give what one
// process gives.

/** A FASTA text's records: the preamble, then one a sequence. */
const recordsOf = (text: string) => text.split(/(?<=\n)(?=>)/);

const FASTA = ['--recend', '\\n', '--recstart', '>'];
const input = fasta(40);
const SAVE_BLOCK = 'cat > "$OUT/$MANIFOLD_BLOCK"';

describe('FASTA through manifold fan, each block whole sequences', () => {
  it.for(['1', '60', '1K'])(
    '--block %s, from a pipe and a file: each per-block worker gets whole records, in order',
    async (block) => {
      for (const from of ['pipe', 'file']) {
        const dir = tempDir('manifold-recstart-');
        const source = from === 'pipe' ? [] : ['--input', fileWith('fasta-', input)];
        const args = [...FASTA, '-j', '2', '--block', block, ...source, '--per-block'];
        const result = await fan(
          [...args, '--shell', '--', SAVE_BLOCK],
          from === 'pipe' ? input : '',
          {
            env: { OUT: dir },
          },
        );
        expect(ok(result), from).toEqual(OK);
        const names = readdirSync(dir).sort((a, b) => Number(a) - Number(b));
        const blocks = names.map((name) => readFileSync(join(dir, name), 'latin1'));
        expect(blocks.join(''), from).toBe(input);
        // Every block but the first begins a sequence; each ends where a record does.
        for (const [i, text] of blocks.entries()) {
          if (i > 0) expect(text.startsWith('>'), `${from} block ${i + 1}`).toBe(true);
          expect(text.endsWith('\n'), `${from} block ${i + 1}`).toBe(true);
        }
        // A block of one byte is one record: the records are the blocks.
        if (block === '1') expect(blocks, from).toEqual(recordsOf(input));
        else expect(blocks.length, from).toBeLessThan(recordsOf(input).length);
      }
    },
  );

  it('--recstart alone cuts at every ">", as parallel --recstart does', async () => {
    const dir = tempDir('manifold-recstart-');
    const args = ['--recstart', '>', '-j', '1', '--block', '1', '--per-block', '--shell'];
    const result = await fan([...args, '--', SAVE_BLOCK], '>a x>y\nAC\n>b\n', {
      env: { OUT: dir },
    });
    expect(ok(result)).toEqual(OK);
    const blocks = ['1', '2', '3'].map((name) => readFileSync(join(dir, name), 'latin1'));
    expect([readdirSync(dir).length, ...blocks]).toEqual([3, '>a x', '>y\nAC\n', '>b\n']);
  });
});

describe('the merges give what one process gives', () => {
  for (const from of ['pipe', 'file']) {
    const source = () => (from === 'pipe' ? [] : ['--input', fileWith('fasta-', input)]);
    const stdin = from === 'pipe' ? input : '';

    it(`--merge ordered and sorted, from a ${from}: byte for byte`, async () => {
      const one = await fan([...FASTA, '-j', '1', ...source(), '--', 'cat'], stdin);
      expect([ok(one), one.stdout.toString('latin1')]).toEqual([OK, input]);
      for (const merge of ['ordered', 'sorted']) {
        for (const block of ['1', '100']) {
          const args = [...FASTA, '-j', '3', '--block', block, '--merge', merge, ...source()];
          const many = await fan([...args, '--', 'cat'], stdin, C);
          expect([ok(many), many.stdout.toString('latin1')], `${merge} ${block}`).toEqual([
            OK,
            input,
          ]);
        }
      }
    });

    it(`--merge ready, from a ${from}: the same records`, async () => {
      for (const block of ['1', '100']) {
        const args = [...FASTA, '-j', '3', '--block', block, ...source()];
        const many = await fan([...args, '--', 'cat'], stdin);
        expect(ok(many), block).toEqual(OK);
        // The preamble may come out after a sequence (docs/framing.md): cut before it too.
        const cut = (text: string) => text.split(/(?<=\n)(?=[>;])/).sort();
        expect(cut(many.stdout.toString('latin1')), block).toEqual(cut(input));
      }
    });
  }
});

describe('with the options that count and group records', () => {
  it('--stats counts the records in and out; -N gives blocks of N sequences', async () => {
    const stats = await fan(
      [...FASTA, '-j', '2', '--block', '50', '--stats', '-', '--', 'cat'],
      input,
    );
    expect(stats.exitCode).toBe(0);
    const records = recordsOf(input).length;
    expect([statsOf(stats).totals.recordsIn, statsOf(stats).totals.recordsOut]).toEqual([
      records,
      records,
    ]);
    const per = await fan(
      [
        ...FASTA,
        '-N',
        '4',
        '--per-block',
        '--merge',
        'ordered',
        '--shell',
        '--',
        'grep -c "^>" || true',
      ],
      input,
    );
    expect(ok(per)).toEqual(OK);
    // The preamble is the first block's first record: three sequences with it, four after.
    const counts = per.stdout.toString().trim().split('\n').map(Number);
    expect(counts).toEqual([3, ...Array.from({ length: 9 }, () => 4), 1]);
  });

  it('--header 1 takes the first record whole, the preamble', async () => {
    const result = await fan(
      [...FASTA, '--header', '1', '-j', '2', '--block', '40', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect([ok(result), result.stdout.toString('latin1')]).toEqual([OK, input]);
  });
});

describe('a record named in the file where it begins', () => {
  it('over --max-record in the second of two --input files: numbered in that file', async () => {
    // The first file's last record ends where the second's first start string is read: that
    // end is found in the second file, and is not one of its records.
    const a = fileWith('a-', '>a\nAC\n>b\nG\n', 'a.fa');
    const b = fileWith('b-', `>c\nT\n>d\n${'G'.repeat(40)}\n>e\nA\n`, 'b.fa');
    for (const flags of [FASTA, ['--recstart', '>']]) {
      const args = [...flags, '--max-record', '20', '--input', a, '--input', b];
      const result = await fan([...args, '--', 'cat']);
      expect([result.exitCode, result.stderr], flags.join(' ')).toEqual([
        1,
        `manifold: ${b}:2: record is larger than the maximum record size 20 B (44 B); raise it with --max-record\n`,
      ]);
    }
  });
});

describe('the spellings, and what is refused', () => {
  it('--recstart and --recend are the framings they say', async () => {
    const data = '>a\nx>y\n>b\n';
    const cases: [string[], string][] = [
      [['--recstart', '>'], 'start:>'],
      [['--recend', '\\n', '--recstart', '>'], 'between:\\n|>'],
      [['--recend', '\\n'], 'delim:\\n'],
      [['--recstart', '>', '--recend', '|'], 'between:\\||>'],
    ];
    for (const [flags, split] of cases) {
      const tail = ['-N', '1', '--per-block', '--merge', 'ordered', '--', 'wc', '-c'];
      const [given, said] = await Promise.all([
        fan([...flags, ...tail], data),
        fan(['--split', split, ...tail], data),
      ]);
      expect(ok(given), split).toEqual(OK);
      expect([ok(said), said.stdout.toString()], split).toEqual([OK, given.stdout.toString()]);
    }
  });

  it.each([
    [
      ['--recstart', '>', '-0'],
      "manifold: --recstart says how records are cut: it cannot go with -0 (see 'manifold fan --help')",
    ],
    [
      ['--recend', 'x', '--recstart', '>', '--split', 'lines'],
      "manifold: --recstart and --recend say how records are cut: it cannot go with --split lines (see 'manifold fan --help')",
    ],
    [
      ['--recend', ''],
      "manifold: --recend '': records need a string to be cut at (a fan cuts its input at record boundaries); blocks cut at any byte, as parallel's --recend '', are --split fixed:1 --block <size> (see 'manifold fan --help')",
    ],
    [
      ['--recstart', ''],
      "manifold: --recstart '': records need a string to be cut at (a fan cuts its input at record boundaries) (see 'manifold fan --help')",
    ],
    [
      ['--recstart', '>', '--one-to-one'],
      "manifold: --one-to-one cuts each block's output where its last record ends, and a record of start:> (--recstart >) ends only where the next begins, in the next block's output: use --per-block or --protocol manifold, or a --join that ends records (see 'manifold fan --help')",
    ],
    // The refusals below name the option given (--recstart, --join) beside the framing it
    // makes (start:>), not only the framing or a --split the command line did not have.
    [
      ['--split', 'start:>', '--one-to-one'],
      "manifold: --one-to-one cuts each block's output where its last record ends, and a record of start:> (--split start:>) ends only where the next begins, in the next block's output: use --per-block or --protocol manifold, or a --join that ends records (see 'manifold fan --help')",
    ],
    [
      ['--recend', '\\n', '--recstart', '>', '-L', '2'],
      "manifold: -L, --lines-per-record 2 is --split lines:2: it cannot go with --recend \\n --recstart > (see 'manifold fan --help')",
    ],
    [
      ['--join', 'start:>', '--tag'],
      "manifold: --tag puts the worker's number before every record, and the records of start:> output (--join start:>) begin with \">\"; give --join lines (or another framing) for the tagged output (see 'manifold fan --help')",
    ],
    [
      ['--recstart', '>', '--tag'],
      "manifold: --tag puts the worker's number before every record, and the records of start:> output (--recstart >) begin with \">\"; give --join lines (or another framing) for the tagged output (see 'manifold fan --help')",
    ],
    [
      ['--split', 'between:AB|AB'],
      "manifold: --split 'between:AB|AB': the end string and the start string can be found again inside the start string, so a block would not be cut in records as the whole input is; give strings that do not overlap (see 'manifold fan --help')",
    ],
  ])('%j: one line, exit 2', async (flags, message) => {
    const result = await fan([...flags, '--', 'cat'], '>a\n');
    expect([result.exitCode, result.stderr]).toEqual([2, `${message}\n`]);
  });

  it("the spelling --recend '''s message gives cuts where parallel's --recend '' does", async () => {
    // parallel --pipe --recend '' --block 3 -k 'cat; echo' on abcdefgh: abc, def, gh (checked).
    const result = await fan(
      [
        '--split',
        'fixed:1',
        '--block',
        '3',
        '--per-block',
        '--merge',
        'ordered',
        '--shell',
        '--',
        'cat; echo',
      ],
      'abcdefgh',
    );
    expect([ok(result), result.stdout.toString()]).toEqual([OK, 'abc\ndef\ngh\n']);
  });
});
