import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { fan } from '../support/fan-run.js';

// Each worker of a fan runs its filter's flush at the end of its input: a flush that throws is
// one failure per worker, as `sort` failing in each job of `parallel --pipe` is. Under manifold
// (MANIFOLD_WORKER set) the filter's own line names its worker when it names no record, so
// that each pairs with manifold's `worker N (...) exited with status 1`, threads and processes
// alike: -j 3 gives three `flush-throws: worker N: Error: ...` lines, not three identical ones.

const filter = fixture('flush-throws.js');
const said = 'Error: the end went wrong: first reason second reason';

describe.each([
  ['threads', ['--threads']],
  ['processes', ['--protocol', 'manifold']],
])('a flush that throws in each of 3 workers, as %s', (_kind, mode) => {
  it('--halt never: each filter line names its worker, each worker is reported once', async () => {
    // A block each: a worker given none fails none (fan-unfed-workers), as parallel runs no job.
    const each = ['-N', '1', '--dispatch', 'round-robin'];
    const result = await fan(
      ['-j', '3', ...each, ...mode, '--halt', 'never', '--', filter],
      'a\nb\nc\n',
    );
    expect(result.exitCode).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    const filterLines = lines.filter((line) => line.startsWith('flush-throws: ')).sort();
    expect(filterLines).toEqual([1, 2, 3].map((n) => `flush-throws: worker ${n}: ${said}`));
    const reported = lines
      .map((line) => /^manifold: worker (\d) \(/.exec(line)?.[1])
      .filter((n) => n !== undefined)
      .sort();
    expect(reported).toEqual(['1', '2', '3']);
  });
});

describe.each([
  ['threads', ['--threads']],
  ['processes', ['--protocol', 'manifold']],
])("flush's context.recordNumber, as %s", (_kind, mode) => {
  it("is the number of records the worker read, as a lone process's is: the workers' add up to the input (it was the last record's number in the whole input)", async () => {
    const count = fixture('flush-count.js');
    const input = `${Array.from({ length: 50 }, (_, i) => i + 1).join('\n')}\n`;
    const result = await fan(
      ['-j', '2', '--block', '16', '--dispatch', 'round-robin', ...mode, '--', count],
      input,
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    const counts = result.stdout.toString().trim().split('\n').map(Number);
    expect(counts).toHaveLength(2);
    expect(counts[0]! + counts[1]!).toBe(50);
  });
});
