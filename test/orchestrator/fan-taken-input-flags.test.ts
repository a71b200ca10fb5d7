import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';

// Input from a pipe, to workers that stay, readiness deciding, --halt now: the process starter
// takes the pipe and writes pieces of it to the workers itself. It did so under --rrs (the
// records given with their separators) and --delay (blocks not spaced at all): both are now
// manifold's to give, as they are from a file. The input is a shell's pipe (a FIFO), as
// `printf ... | manifold fan` gives it.

const quoted = (words: readonly string[]) =>
  words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');

/** `printf <input> | manifold fan <args>`: its stdout, stderr and status. */
async function piped(input: string, args: readonly string[]) {
  const line = `printf '%s' ${quoted([input])} | ${quoted([manifold, 'fan', ...args])}`;
  const result = await run('/bin/sh', ['-c', line], '');
  return { exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout.toString() };
}

describe('input taken from a pipe by the process starter, and the flags it cannot honour', () => {
  it('--rrs: the blocks without their separators (it gave them whole)', async () => {
    for (const [args, input, out] of [
      [['--recend', ','], 'a,b,c,', 'abc'],
      [[], 'a\nb\nc\n', 'abc'],
      [['--split', 'delim:;'], 'a;b;', 'ab'],
    ] as const) {
      expect(await piped(input, [...args, '--rrs', '--', 'cat'])).toEqual({
        exitCode: 0,
        stderr: '',
        stdout: out,
      });
    }
  });

  it('--delay: the blocks spaced at least the delay apart (they all went at once)', async () => {
    // Each line stamped as the worker reads it: 8 blocks of 2 lines, 100 ms apart at the least.
    const stamp = 'while IFS= read -r l; do echo "$(date +%s%N) $l"; done';
    const input = `${Array.from({ length: 16 }, (_, i) => String(i + 10)).join('\n')}\n`;
    const result = await piped(input, [
      '-j',
      '1',
      '--block',
      '6',
      '--delay',
      '100ms',
      '--',
      'sh',
      '-c',
      stamp,
    ]);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    const stamps = result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    expect(stamps.map(([, line]) => line).join('\n')).toBe(input.trim());
    const ms = stamps.map(([ns]) => Number(BigInt(ns!) / 1_000_000n));
    // Seven gaps of 100 ms, less the stamps' own slack; a lower bound only: a loaded machine
    // may start blocks later, never sooner. Without the delay the span was a few milliseconds.
    expect(ms.at(-1)! - ms[0]!).toBeGreaterThanOrEqual(600);
  });
});
