import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { fan } from '../support/fan-run.js';

// A declaration whose hook is no function (`transform: 5`: plain JavaScript has no types to
// catch it) is refused at start in one line naming the key and what it got, exit 2, as a process
// and as a thread, not at the first record with "TypeError: transform is not a function"
// (exit 1), or, for flush, only after writing every record.

const filter = fixture('hook-kind.js');
const says = (key: string, got: string) =>
  `hook-kind: ${key} is ${got}, not a function (see 'hook-kind --help')\n`;

describe('a hook that is no function', () => {
  it.each([
    ['transform', '5', '5'],
    ['batch', '"x"', '"x"'],
    ['flush', 'true', 'true'],
    ['setup', '[]', '[]'],
    ['configure', '{"a":1}', '{ a: 1 }'],
    ['transform', 'null', 'null'],
  ])('%s: %s as a process: exit 2 before any record, one line', async (key, value, got) => {
    const result = await run(filter, [key, value], 'a\nb\n');
    expect({
      exitCode: result.exitCode,
      stderr: result.stderr,
      stdout: result.stdout.toString(),
    }).toEqual({ exitCode: 2, stderr: says(key, got), stdout: '' });
  });

  it('a function, or none, runs', async () => {
    const result = await run(filter, ['description', '"not a hook"'], 'a\n');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
  });

  it('as a thread of manifold fan --threads: the same line (manifold: a worker failed, 1)', async () => {
    const result = await fan(['-j', '1', '--threads', '--', filter, 'flush', '5'], 'a\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(says('flush', '5').trimEnd());
  });
});
