import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fan, OK } from '../support/fan-run.js';
import { fileWith } from '../support/temp.js';

// --regexp's records are the string framings' records: sized alike against --max-record.

/** A run's exit code, stderr and output, for one `toEqual`. */
async function outcome(args: string[], input: string) {
  const result = await fan([...args, '--', 'cat'], input);
  return { exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout.toString() };
}

describe('--max-record sizes a record as the string framings do', () => {
  const input = 'aaaaaaaaaa\nbbbbbbbbbb\n';
  it.for([
    // --recend alone: its match is a delimiter, not counted (the records are 10 B).
    ['--recend \\n, at 10', ['--recend', '\\n'], '10', 0],
    ['--recend \\n, at 9', ['--recend', '\\n'], '9', 1],
    ['--recend \\n, the header', ['--header', '1', '--recend', '\\n'], '10', 0],
    // Both: the end string is kept in the record, and counted (11 B).
    ['--recend \\n --recstart b, at 10', ['--recend', '\\n', '--recstart', 'b'], '10', 1],
  ] as [string, string[], string, number][])('%s', async ([, args, limit, exitCode]) => {
    const strings = await outcome(['--max-record', limit, ...args], input);
    expect(strings.exitCode).toBe(exitCode);
    expect(await outcome(['--max-record', limit, '--regexp', ...args], input)).toEqual(strings);
  });

  it('a delimiter that matched several bytes is not counted, nor kept in a --group-by key', async () => {
    const input = 'aaaaaaa 1\n\n\nbbbbbbb 1\nccccccc 2\n';
    const sized = await outcome(['--max-record', '9', '--regexp', '--recend', '\\n+'], input);
    expect(sized).toEqual({ exitCode: 0, stderr: '', stdout: input });
    // A block a run of one key: the first two records' keys are both 1.
    const args = ['--regexp', '--recend', '\\n+', '--group-by', 'field:2', '--block', '1'];
    const runs = await fan([...args, '--per-block', '--merge', 'ordered', '--', 'wc', '-l'], input);
    expect(runs.stdout.toString()).toBe('4\n1\n');
  });
});

describe('a match longer than 64 KiB cuts where the string framing does', () => {
  /**
   * Each block's size, a block a record: where the records were cut, from a pipe written 4 KiB
   * at a time (the finder searches as the bytes come, not once over all of them).
   */
  async function sizes(args: string[], input: string) {
    const writer = `/usr/bin/python3 -c 'import os,sys
d=open(sys.argv[1],"rb").read()
for i in range(0,len(d),4096): os.write(1,d[i:i+4096])' "$FILE"`;
    const options = ['-N', '1', '--join', 'lines', '--per-block', '--merge', 'ordered'];
    const words = [...args, ...options].map((word) => `'${word}'`).join(' ');
    const line = `${writer} | "${manifold}" fan ${words} -- wc -c`;
    const file = fileWith('regexp-long-', input);
    const result = await run('/bin/sh', ['-c', line], '', { env: { FILE: file } });
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual(OK);
    return result.stdout.toString().split('\n').filter(Boolean).map(Number);
  }

  it.for([
    [
      'a start match of 300 KiB',
      ['--recend', '\\n', '--recstart', '>h\\d [xz]+\\n'],
      ['--recend', '\\n', '--recstart', '>h'],
      `>h0 xz\nAC\n>h1 ${'x'.repeat(200_000)}\nACGT\n>h2 ${'z'.repeat(300_000)}\nGT\n>h3 xz\nTT\n`,
      [10, 200_010, 300_008, 10],
    ],
    [
      'an end match of 200 KiB',
      ['--recend', '^>.*x\\n'],
      ['--recend', 'x\\n'],
      `>h1 ${'y'.repeat(200_000)}x\nAC\n>h2 short x\nGT\n`,
      [200_006, 15, 3],
    ],
  ] as [string, string[], string[], string, number[]][])(
    '%s',
    async ([, regexp, strings, input, expected]) => {
      expect(await sizes(strings, input)).toEqual(expected);
      expect(await sizes(['--regexp', ...regexp], input)).toEqual(expected);
    },
  );
});
