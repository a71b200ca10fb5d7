import { describe, expect, it } from 'vitest';
import { fan } from '../support/fan-run.js';

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
