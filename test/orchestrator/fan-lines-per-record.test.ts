import { Readable } from 'node:stream';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { fan as fanApi } from '../../orchestrator/index.js';
import { bin } from '../helpers.js';
import { C, fan, OK, ok, statsOf } from '../support/fan-run.js';
import { sink } from '../support/sink.js';
import { fileWith } from '../support/temp.js';

// -L, --lines-per-record and --split lines:<n>: records of n lines (FASTQ, 4 a read), whole in
// every block and every output, from a pipe and from a file, through every merge and the hash
// dispatch. A boundary near a block's end cannot tell line 1 of a read from line 3: a fast path
// that looks for one there would hand a worker a block that begins inside a read.

/** `count` FASTQ reads of lengths that vary (an empty one too), named r0, r1... */
function fastq(count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) {
    const length = (i * 37) % 61;
    const bases = 'ACGT'.repeat(16).slice(i % 4, (i % 4) + length);
    text += `@r${i} x\n${bases}\n+\n${'I'.repeat(bases.length)}\n`;
  }
  return text;
}

/** The reads of FASTQ text, each its four lines, sorted: what a run must give, in any order. */
function readsOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const reads: string[] = [];
  for (let i = 0; i < lines.length; i += 4) reads.push(lines.slice(i, i + 4).join('\n'));
  return reads.sort();
}

/** A per-block worker that says whether its block is whole reads: `whole <reads>`, or `CUT`. */
const CHECK = [
  'sh',
  '-c',
  `awk 'NR%4==1 && !/^@r[0-9]+ x$/ {bad=1} NR%4==3 && $0!="+" {bad=1} END {print (NR%4==0 && !bad) ? "whole " NR/4 : "CUT"}'`,
];

/** The verdicts of CHECK's blocks: all whole, and how many reads they had together. */
function verdicts(stdout: Buffer): { cut: number; reads: number } {
  const lines = stdout.toString().trim().split('\n');
  return {
    cut: lines.filter((line) => !line.startsWith('whole ')).length,
    reads: lines.reduce((sum, line) => sum + (Number(line.split(' ')[1]) || 0), 0),
  };
}

const READS = 300;
const INPUT = fastq(READS);
const FILE = fileWith('manifold-lines-n-', INPUT);
/** From a pipe, and from a file (read as ranges where the framing allows it). */
const SOURCES = [
  ['a pipe', [] as string[]],
  ['a file', ['--input', FILE]],
] as const;

/**
 * At --block 1 and 50 a block is about a read, a process each: 61 reads, each length of 0 to 60
 * once, end blocks in every line of a read the 300 do.
 */
const FEW = 61;
const FEW_INPUT = fastq(FEW);
const FEW_SOURCES = {
  'a pipe': [],
  'a file': ['--input', fileWith('manifold-lines-n-', FEW_INPUT)],
};

describe('-L 4: every block is whole reads', () => {
  for (const [source, input] of SOURCES) {
    for (const block of ['1', '50', '333']) {
      it(`from ${source}, --block ${block}, per-block workers`, async () => {
        const [reads, text, from] =
          block === '333' ? [READS, INPUT, input] : [FEW, FEW_INPUT, FEW_SOURCES[source]];
        const result = await fan(
          [
            '-L',
            '4',
            '-j',
            '3',
            '--block',
            block,
            ...from,
            '--per-block',
            '--join',
            'lines',
            '--',
            ...CHECK,
          ],
          from.length === 0 ? text : '',
        );
        expect(ok(result)).toEqual(OK);
        expect(verdicts(result.stdout)).toEqual({ cut: 0, reads });
      });
    }

    it(`from ${source}: --split lines:4 is the same, and -N 100 gives blocks of 100 reads`, async () => {
      const result = await fan(
        [
          '--split',
          'lines:4',
          '--join',
          'lines',
          '-N',
          '100',
          ...input,
          '--per-block',
          '--merge',
          'ordered',
          '--',
          ...CHECK,
        ],
        input.length === 0 ? INPUT : '',
      );
      expect([result.stderr, result.stdout.toString()]).toEqual(['', 'whole 100\n'.repeat(3)]);
    });

    it(`from ${source}: --dispatch hash gives each worker whole reads`, async () => {
      const result = await fan(
        [
          '-L',
          '4',
          '-j',
          '3',
          '--block',
          '40',
          '--dispatch',
          'hash',
          '--key',
          'field:1',
          ...input,
          '--per-block',
          '--join',
          'lines',
          '--',
          ...CHECK,
        ],
        input.length === 0 ? INPUT : '',
      );
      expect(ok(result)).toEqual(OK);
      expect(verdicts(result.stdout)).toEqual({ cut: 0, reads: READS });
    });
  }

  it('-N 1000 -L 4: 1,000 reads a block', async () => {
    const result = await fan(
      [
        '-N',
        '1000',
        '-L',
        '4',
        '--join',
        'lines',
        '--per-block',
        '--merge',
        'ordered',
        '--',
        'wc',
        '-l',
      ],
      fastq(2500),
    );
    expect([result.stderr, result.stdout.toString()]).toEqual(['', '4000\n4000\n2000\n']);
  });

  it('--header 1: every block gets the first read, then whole reads', async () => {
    const check = `awk 'NR<=4 {head = head $0 "|"} NR%4==1 && !/^@r[0-9]+ x$/ {bad=1} END {print (NR%4==0 && !bad && head=="@r0 x||+||") ? "whole " NR/4-1 : "CUT"}'`;
    const result = await fan(
      [
        '-L',
        '4',
        '--header',
        '1',
        '--block',
        '30',
        '--join',
        'lines',
        '--per-block',
        '--',
        'sh',
        '-c',
        check,
      ],
      INPUT,
    );
    expect(ok(result)).toEqual(OK);
    expect(verdicts(result.stdout)).toEqual({ cut: 0, reads: READS - 1 });
  });
});

describe('-L 4: the merges give what one process gives', () => {
  const SORT = ['sh', '-c', 'paste - - - - | sort | tr "\\t" "\\n"'];

  for (const [source, input] of SOURCES) {
    const stdin = input.length === 0 ? INPUT : '';

    it(`from ${source}: --merge ordered, persistent and per-block workers, byte for byte`, async () => {
      const base = ['-L', '4', '-j', '3', '--block', '45', ...input, '--merge', 'ordered'];
      const [persistent, perBlock] = await Promise.all([
        fan([...base, '--', 'cat'], stdin),
        fan([...base, '--per-block', '--', 'cat'], stdin),
      ]);
      expect(ok(persistent)).toEqual(OK);
      expect(persistent.stdout.toString()).toBe(INPUT);
      expect(perBlock.stdout.toString()).toBe(INPUT);
    });

    it(`from ${source}: --merge ready, whole reads, none cut or lost`, async () => {
      const result = await fan(
        ['-L', '4', '-j', '3', '--block', '45', ...input, '--', 'cat'],
        stdin,
      );
      expect(ok(result)).toEqual(OK);
      expect(readsOf(result.stdout.toString())).toEqual(readsOf(INPUT));
    });

    it(`from ${source}: --merge sorted (manifold's, not sort -m), byte for byte`, async () => {
      const args = ['-L', '4', '--block', '45', ...input, '--merge', 'sorted', '--shell'];
      const [three, one] = await Promise.all([
        fan(['-j', '3', ...args, '--', SORT[2]!], stdin, C),
        fan(['-j', '1', ...args, '--verbose', '--', SORT[2]!], stdin, C),
      ]);
      expect(three.stderr).toBe('');
      expect(one.stderr).toContain('sort -m reads lines or NUL-ended records, not lines:4');
      expect(three.stdout.toString()).toBe(one.stdout.toString());
      expect(three.stdout.toString()).toBe(`${readsOf(INPUT).join('\n')}\n`);
    });

    it(`from ${source}: --dispatch hash into --merge sorted, byte for byte`, async () => {
      const args = [
        '-L',
        '4',
        '--block',
        '45',
        ...input,
        '--dispatch',
        'hash',
        '--key',
        'field:1',
        '--merge',
        'sorted',
        '--shell',
      ];
      const [three, one] = await Promise.all([
        fan(['-j', '3', ...args, '--', SORT[2]!], stdin, C),
        fan(['-j', '1', ...args, '--', SORT[2]!], stdin, C),
      ]);
      expect(ok(three)).toEqual(OK);
      expect(three.stdout.toString()).toBe(one.stdout.toString());
      expect(three.stdout.toString()).toBe(`${readsOf(INPUT).join('\n')}\n`);
    });
  }

  it("--one-to-one counts a worker's output as reads: FASTQ to FASTA (--join lines:2)", async () => {
    const toFasta = `awk 'NR%4==1 {print ">" substr($0, 2)} NR%4==2 {print; fflush()}'`;
    const result = await fan(
      [
        '-L',
        '4',
        '--join',
        'lines:2',
        '-j',
        '3',
        '--block',
        '45',
        '--one-to-one',
        '--merge',
        'ordered',
        '--shell',
        '--',
        toFasta,
      ],
      INPUT,
    );
    expect(ok(result)).toEqual(OK);
    const expected = INPUT.split('\n')
      .filter((_, i) => i % 4 < 2)
      .map((line) => (line.startsWith('@') ? `>${line.slice(1)}` : line))
      .join('\n');
    expect(result.stdout.toString()).toBe(`${expected.trimEnd()}\n`);
  });

  it('from a pipe, neither the input nor the output is left to the process starter (it cuts at any LF)', async () => {
    const result = await fan(['-L', '4', '-j', '2', '--verbose', '--', 'cat'], INPUT);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString().length).toBe(INPUT.length);
    expect(result.stderr).not.toContain('process starter');
  });

  it('--stats counts reads, in and out', async () => {
    const result = await fan(
      ['-L', '4', '-j', '3', '--block', '45', '--stats', '-', '--', 'cat'],
      INPUT,
    );
    expect(statsOf(result).totals).toMatchObject({ recordsIn: READS, recordsOut: READS });
  });

  it('a short last read (fewer lines) comes last, whichever worker ends first', async () => {
    const input = `${fastq(60)}@tail x\nAC`;
    const result = await fan(['-L', '4', '-j', '3', '--block', '1', '--', 'cat'], input);
    expect(ok(result)).toEqual(OK);
    const out = result.stdout.toString();
    expect(out.endsWith('\n@tail x\nAC')).toBe(true);
    expect(readsOf(out)).toEqual(readsOf(input));
  });

  it.each([['--threads'], ['--protocol', 'manifold'], ['--per-block']])(
    "--merge ordered %s: a block's output of fewer lines than its records' stays in its place (it went to the end of the output)",
    async (...how) => {
      const input = `${Array.from({ length: 24 }, (_, i) => i + 1).join('\n')}\n`;
      const first = "r.split('\\n')[0]";
      const args =
        how[0] === '--per-block' ? ['--', 'sed', '-n', 'p;n'] : ['--', bin('mf-map'), first];
      const result = await fan(
        ['-j', '2', '-N', '3', '-L', '2', '--merge', 'ordered', ...how, ...args],
        input,
      );
      expect(ok(result)).toEqual(OK);
      expect(result.stdout.toString()).toBe(
        `${Array.from({ length: 12 }, (_, i) => 2 * i + 1).join('\n')}\n`,
      );
    },
  );
});

describe('-L 4 with SDK filters: a transform sees the four lines as one record', () => {
  const MAP = bin('mf-map');
  const whole = 'r.split("\\n").length === 4 && r.startsWith("@r") ? r : "CUT"';

  for (const how of [['--protocol', 'manifold'], ['--threads']]) {
    it(`under ${how.join(' ')}, the filter reads the blocks' framing`, async () => {
      const result = await fan(
        ['-L', '4', '-j', '3', '--block', '45', ...how, '--', MAP, whole],
        INPUT,
      );
      expect(ok(result)).toEqual(OK);
      expect(readsOf(result.stdout.toString())).toEqual(readsOf(INPUT));
    });
  }

  it('the library takes linesPerRecord', async () => {
    const output = sink();
    await fanApi(
      {
        command: ['wc', '-l'],
        linesPerRecord: 4,
        records: 100,
        perBlock: true,
        merge: 'ordered',
        join: 'lines',
      },
      { input: Readable.from([INPUT]), output },
    );
    expect(output.text()).toBe('400\n400\n400\n');
  });
});

describe('-L 4: a read named by a first line with no blank', () => {
  // Fields split on newlines too, as awk's default FS: `field:1` of a read is its name, not its
  // four lines up to the first space (each read of one name was then a key of its own).
  const names = ['@a', '@b', '@c', '@d', '@e', '@f'];
  const text = Array.from({ length: 60 }, (_, i) => {
    const bases = 'ACGT'.repeat(4).slice(i % 4, (i % 4) + 5 + (i % 7));
    return `${names[i % names.length]}\n${bases}\n+\n${'I'.repeat(bases.length)}\n`;
  }).join('');

  it('--dispatch hash --key field:1 sends every read of one name to one worker', async () => {
    // Each worker prints the names it was given, with its number: a name seen by two fails.
    const args = ['-L', '4', '-j', '3', '--dispatch', 'hash', '--key', 'field:1', '--join'];
    const tagged = await fan(
      [...args, 'lines', '--', 'sh', '-c', 'grep "^@" | sort -u | sed "s/^/$MANIFOLD_WORKER /"'],
      text,
    );
    expect(ok(tagged)).toEqual(OK);
    const workersOf = new Map<string, Set<string>>();
    for (const line of tagged.stdout.toString().trim().split('\n')) {
      const [worker, name] = line.split(' ');
      workersOf.set(name!, (workersOf.get(name!) ?? new Set()).add(worker!));
    }
    expect([...workersOf.keys()].sort()).toEqual(names);
    for (const [name, workers] of workersOf) expect([name, workers.size]).toEqual([name, 1]);
  });

  it('mf-reduce --split lines:4 --key field:1 counts the reads of each name', async () => {
    const result = await execa(
      'node',
      [bin('mf-reduce'), '--split', 'lines:4', '--key', 'field:1', 'count'],
      {
        input: text,
      },
    );
    expect(result.stdout.split('\n').sort()).toEqual(names.map((name) => `${name}\t10`));
  });
});

describe('-L: what it cannot go with, refused in one line, exit 2', () => {
  it.for([
    [
      ['-L', '4', '--split', 'lines'],
      '-L, --lines-per-record 4 is --split lines:4: it cannot go with --split lines',
    ],
    [
      ['-L', '4', '-0'],
      '-L, --lines-per-record (records of lines) cannot go with --null (records ended by NUL)',
    ],
    [['-L', '0'], '-L, --lines-per-record must be a whole number of at least 1 (got 0)'],
    [['-L', 'four'], '-L, --lines-per-record must be a whole number of at least 1 (got four)'],
    [['-L', '2147483648'], '-L, --lines-per-record must be at most 2147483647 (got 2147483648)'],
    [
      ['--split', 'lines:0'],
      '--split lines:0: the number of lines a record has must be a whole number from 1 to 2147483647',
    ],
    [
      ['--join', 'lines:x'],
      '--join lines:x: the number of lines a record has must be a whole number from 1 to 2147483647',
    ],
  ] as const)('%j', async ([args, message]) => {
    const result = await fan([...args, '--', 'cat'], 'a\n');
    expect([result.exitCode, result.stderr, result.stdout.length]).toEqual([
      2,
      `manifold: ${message} (see 'manifold fan --help')\n`,
      0,
    ]);
  });

  it.for([
    [['-L', '4', '--split', 'lines:4']],
    [['--lines-per-record', '4', '--split', 'lines:4']],
    [['-L', '1', '--split', 'lines']],
  ] as const)('%j says one framing twice: taken', async ([args]) => {
    const result = await fan([...args, '--', 'cat'], INPUT);
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([0, '', INPUT]);
  });
});
