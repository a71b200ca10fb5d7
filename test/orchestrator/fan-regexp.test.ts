import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fan, OK, ok } from '../support/fan-run.js';
import { hasStackTrace } from '../support/spawn.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// --regexp: --recstart and --recend as regular expressions, cut where GNU parallel's --pipe
// --regexp cuts (its Perl /m: ^ and $ at any line, . any byte but LF), checked byte for byte
// against the real parallel; from a pipe, a file and a pipe written in pieces alike.

/** Each block, as its worker gets it, in hex between <>: one line a block. */
const EACH = `echo "<$(od -An -tx1 -v | tr -d ' \\n')>"`;

/** parallel --pipe -k ... 'EACH' on `input`: its blocks, one line each. */
async function parallelBlocks(args: string[], input: string | Buffer): Promise<string> {
  const result = await run('parallel', ['--pipe', '-k', '--block', '10M', ...args, EACH], input);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout.toString('latin1');
}

/** manifold fan ... the same: a process a block, their output in the blocks' order. */
async function manifoldBlocks(args: string[], input: string | Buffer): Promise<string> {
  const result = await fan(
    [...args, '--per-block', '--merge', 'ordered', '--shell', '--', EACH],
    input,
  );
  expect(ok(result)).toEqual(OK);
  return result.stdout.toString('latin1');
}

const CASES: [string, string[], string | Buffer][] = [
  ['a > inside a line is no start', ['--recstart', '^>'], '>a\nAC\n>b\nGT>x\n>c\nTT\n'],
  ['end and start together', ['--recend', '\\n', '--recstart', '>[a-c]'], '>a\n>z\n>b>c\nA\n'],
  [
    'bytes before the first start are a record',
    ['--recend', 'END\\n', '--recstart', 'BEGIN'],
    'x1\nBEGIN a\nfoo\nEND\nBEGIN b\nEND\njunk\nBEGIN c\nEND\n',
  ],
  ['an alternation in --recend alone', ['--recend', '(A|T)\\n'], 'AC\nGA\nTT\nxx\n'],
  [
    'the dot takes a CR, $ is before any LF',
    ['--recstart', '^BEGIN .$'],
    'x\nBEGIN \r\nfoo\nBEGIN b\nBEGIN bc\nBEGIN d\nz',
  ],
  [
    '\\s is ASCII white space: not 0xA0',
    ['--recstart', '^\\s*>'],
    Buffer.from('>a\n  >b\n\xa0>c\n\t>d\n', 'latin1'),
  ],
  [
    'binary bytes',
    ['--recstart', '\\xff\\x00'],
    Buffer.from('a\xff\x00b\xfe\x00\xffc\n\xff\x00z', 'latin1'),
  ],
];

describe('--regexp cuts where parallel --pipe --regexp does', () => {
  it.for(CASES)('%s, -N 1', async ([, args, input]) => {
    const expected = await parallelBlocks(['--regexp', ...args, '-N1'], input);
    expect(await manifoldBlocks(['--regexp', ...args, '-N', '1'], input)).toBe(expected);
  });

  it('the bytes before the first start are in the first record, counted by -N as any (parallel gives that record a block of its own)', async () => {
    const args = ['--regexp', '--recend', 'END\\n', '--recstart', 'BEGIN', '-N', '2'];
    const got = await manifoldBlocks(args, 'x\nBEGIN a\nEND\nBEGIN b\nEND\nBEGIN c\nEND\n');
    const hex = (text: string) => `<${Buffer.from(text).toString('hex')}>\n`;
    expect(got).toBe(hex('x\nBEGIN a\nEND\nBEGIN b\nEND\n') + hex('BEGIN c\nEND\n'));
  });

  it('a run the expression matches whole is one start (parallel cuts >>c as > and >c)', async () => {
    const got = await manifoldBlocks(
      ['--regexp', '--recstart', '>+', '-N', '1'],
      '>a>>b\nx>y\n>>c\nz\n',
    );
    const hex = (text: string) => `<${Buffer.from(text).toString('hex')}>\n`;
    expect(got).toBe(['>a', '>>b\nx', '>y\n', '>>c\nz\n'].map(hex).join(''));
  });

  it('a backreference in --recstart means its own group when --recend has one too, in the cut and in --rrs (parallel numbers both with its own groups)', async () => {
    const args = ['--regexp', '--recend', '(;)\\1', '--recstart', '(\\w)\\1', '--rrs', '-N', '1'];
    const got = await manifoldBlocks(args, 'x;;aa1;;bb2;;cd;;ef');
    const hex = (text: string) => `<${Buffer.from(text).toString('hex')}>\n`;
    expect(got).toBe(hex('x') + hex('1') + hex('2;;cd;;ef'));
  });

  it.for(CASES.slice(0, 5))(
    '--rrs removes what matched, as parallel: %s',
    async ([, args, input]) => {
      const expected = await parallelBlocks(['--regexp', ...args, '--rrs', '-N1'], input);
      const got = await manifoldBlocks(['--regexp', ...args, '--rrs', '-N', '1'], input);
      expect(got).toBe(expected);
    },
  );
});

/**
 * Sequences of random lengths, some far longer than a read (64 KiB); the reach a cut is sure at
 * (a MiB) is gone through at every read's cut in test/filters/framing/regexp.test.ts.
 */
function sequences(count: number): string {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(`>seq${i} ${'x'.repeat(random(20))}\n`);
    const length = i % 97 === 5 ? 150_000 + random(100_000) : random(300);
    for (let at = 0; at < length; at += 60) parts.push(`${'ACGT>'.repeat(12).slice(0, 60)}\n`);
  }
  return parts.join('');
}

describe('a stream of records longer than a read', () => {
  const input = sequences(400);
  const args = ['--regexp', '--recend', '\\n', '--recstart', '>seq[0-9]+ ', '-N', '7'];

  it('a pipe, a file and a pipe written in pieces of 1000 bytes give the blocks parallel gives', {
    timeout: 120_000,
  }, async () => {
    const expected = await parallelBlocks(args.slice(0, 5).concat('-N7'), input);
    expect(await manifoldBlocks(args, input)).toBe(expected);
    const file = fileWith('regexp-', input);
    expect(await manifoldBlocks([...args, '--input', file], '')).toBe(expected);
    // Written a piece at a time, a match is split across reads at every piece's end.
    const writer = `/usr/bin/python3 -c 'import os,sys
d=open(sys.argv[1],"rb").read()
for i in range(0,len(d),1000): os.write(1,d[i:i+1000])' "$FILE"`;
    const line = `${writer} | "${manifold}" fan ${args.map((a) => `'${a}'`).join(' ')} --per-block --merge ordered --shell -- "$EACH"`;
    const piped = await run('/bin/sh', ['-c', line], '', { env: { FILE: file, EACH } });
    expect({ exitCode: piped.exitCode, stderr: piped.stderr }).toEqual(OK);
    expect(piped.stdout.toString('latin1')).toBe(expected);
  });
});

describe("a config's split says the same", () => {
  it("split: 'start-re:^>' cuts as --regexp --recstart '^>'; one that matches nothing is refused", async () => {
    const input = '>a\nAC\n>b\nGT>x\n>c\nTT\n';
    const fan = { workers: 1, split: 'start-re:^>', records: 1, attribution: 'per-block' };
    const config = { stages: [{ name: 'cut', fan: { ...fan, worker: ['sh', '-c', EACH] } }] };
    const result = await run(manifold, ['run', writeConfig(tempDir(), config)], input);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual(OK);
    expect(result.stdout.toString()).toBe(
      await manifoldBlocks(['--regexp', '--recstart', '^>', '-N', '1'], input),
    );
    const bad = {
      stages: [{ name: 'cut', fan: { ...fan, split: 'start-re:x*', worker: ['cat'] } }],
    };
    const refused = await run(manifold, ['check', writeConfig(tempDir(), bad)]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("split 'start-re:x*': matches the empty string");
  });
});

describe('what --regexp cannot do is refused in one line (exit 2)', () => {
  it.for([
    [
      ['--regexp', '--recstart', '('],
      "--recstart '(': Invalid regular expression: /(/: Unterminated group",
    ],
    [['--regexp', '--recend', 'x*'], "--recend 'x*': matches the empty string"],
    [
      ['--regexp', '--recend', '\\n?', '--recstart', 'a*'],
      "--recend '\\n?' --recstart 'a*': matches the empty string",
    ],
    [['--regexp'], '--regexp makes --recstart and --recend regular expressions: give one of them'],
    [['--split', 'between-re:a'], '--split between-re:a: between-re: takes <end>|<start>'],
    [
      ['--split', 'start-re:^>', '--protocol', 'manifold'],
      '--split start-re:^> cannot go with --protocol manifold',
    ],
    [
      ['--regexp', '--recstart', '>', '--split', 'lines'],
      '--recstart says how records are cut: it cannot go with --split lines',
    ],
  ] as [string[], string][])('%j', async ([args, message]) => {
    const result = await fan([...args, '--', 'cat'], '>a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('the filters, which read no records by expressions, name where they can be used', async () => {
    const result = await fan(['--join', 'start-re:>', '--', 'cat'], '>a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      "--join 'start-re:>': a regular expression cuts a fan's input only",
    );
  });
});
