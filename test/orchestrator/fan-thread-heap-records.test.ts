import { describe, expect, it } from 'vitest';
import { fan } from '../support/fan-run.js';

// A record larger than a capped thread's heap can hold as text: V8 makes its string in one
// allocation, and one past the cap (and the little Node grants over it) is no thread's failure
// but a fatal error of the whole process, V8's stack trace and status 134. The SDK refuses such
// a record before it makes the string: the block fails in one line naming the record, then
// manifold's naming the worker and the block, status 1. Buffer records are never strings.

const MiB = 1024 * 1024;
const big = (bytes: number) => `${'a'.repeat(bytes)}\nb\n`;

describe('a record too large for a capped thread heap', () => {
  it('--thread-heap 8M and a 24 MiB text record: one line, the block failed, exit 1', async () => {
    const result = await fan(
      ['--threads', '--thread-heap', '8M', '--', 'mf-map', 'r'],
      `${'a'.repeat(24 * MiB)}\n`,
    );
    const lines = result.stderr.split('\n');
    expect({
      exitCode: result.exitCode,
      lines: lines.length,
      stdout: result.stdout.length,
    }).toEqual({ exitCode: 1, lines: 3, stdout: 0 });
    expect(lines[0]).toMatch(
      /^mf-map: stdin:1: record is larger than 4 MiB, half this thread's heap \(capped at 8 MiB by --thread-heap\) \(4\.\d MiB so far\); raise --thread-heap$/,
    );
    expect(lines[1]).toMatch(
      /^manifold: worker 1 \(thread \d+: mf-map r .*\) exited with status 1 on block 1 \(records 1-1\)$/,
    );
  });

  it('a JSON record the same: refused before it is parsed', async () => {
    const record = `{"a":"${'x'.repeat(24 * MiB)}"}\n`;
    const result = await fan(
      ['--threads', '--thread-heap', '8M', '--', 'mf-map', '--json', 'r.a.length'],
      record,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(
      /^mf-map: stdin:1: record is larger than 4 MiB, half this thread's heap \(capped at 8 MiB by --thread-heap\) \(4\.\d MiB so far\); raise --thread-heap$/,
    );
  });

  // The decoder counts a block's records: its error named record 1 of the block (`stdin:1`), not
  // the record's number in the whole input, under threads and the protocol alike.
  for (const how of [
    ['--threads', '--thread-heap', '8M'],
    ['--threads', '--', 'mf-map', '--max-record', '1K'],
    ['--protocol', 'manifold', '--', 'mf-map', '--max-record', '1K'],
  ]) {
    it(`${how.join(' ')}: the record is named by its number in the whole input`, async () => {
      const lines = Array.from({ length: 1000 }, (_, i) => `r${i + 1}\n`).join('');
      const tail = how.includes('--') ? how : [...how, '--', 'mf-map'];
      const result = await fan(
        ['-j', '1', '--block', '1K', ...tail, 'r'],
        `${lines}${big(5 * MiB)}`,
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr.split('\n')[0]).toMatch(/^mf-map: stdin:1001: record is larger than /);
      expect(result.stderr).toMatch(/on block \d+ \(records 1001-1001\)/);
    });
  }

  it('a record under half the cap runs as before', async () => {
    const result = await fan(
      ['-j', '1', '--threads', '--thread-heap', '16M', '--', 'mf-map', 'r.length'],
      big(2 * MiB),
    );
    expect({
      exitCode: result.exitCode,
      stderr: result.stderr,
      stdout: result.stdout.toString(),
    }).toEqual({ exitCode: 0, stderr: '', stdout: `${2 * MiB}\n1\n` });
  });
});
