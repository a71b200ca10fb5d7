import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';

// A filter's usage error in thread workers: each thread, and each thread started again under
// --halt never, printed the same line (17 lines for 17 blocks). manifold owns a thread's stderr,
// so it shows each distinct usage error of a fan's threads once; manifold's own line per failed
// worker stays, and distinct errors all show.

/** The lines of stderr not manifold's own, each with how many times it came. */
const filterLines = (stderr: string) => {
  const counts: Record<string, number> = {};
  for (const line of stderr.split('\n')) {
    if (line === '' || line.startsWith('manifold: ')) continue;
    counts[line] = (counts[line] ?? 0) + 1;
  }
  return counts;
};
const failedWorkers = (stderr: string) =>
  stderr.split('\n').filter((line) => / exited with status 2\b/.test(line)).length;

// One case at a time: each is CPU, thread (or process) after thread started and refused, and
// five at once made each wait for the others' share of the machine: 17 s each at load 20, over
// the 30 s limit with four copies of the file beside two busy loops.
describe('usage errors of thread workers', () => {
  const halted = ['--threads', '-j', '3', '--block', '20', '--halt', 'never'];
  // 111 bytes: 6 blocks of --block 20 (12 of --block 10), each a thread (or a process) started
  // and refused; 100 lines made 17 (30), for a check that needs more than 3.
  const input = numbered(1, 40);

  it('the same usage error in every thread is shown once (17 times for 100 lines before)', async () => {
    const result = await fan([...halted, '--', fixture('usage-per-worker.js')], input);
    expect(result.exitCode).toBe(1);
    expect(filterLines(result.stderr)).toEqual({
      "usage-per-worker: refused (see 'usage-per-worker --help')": 1,
    });
    // Each block's failure is still manifold's to report.
    expect(failedWorkers(result.stderr)).toBeGreaterThan(3);
  });

  it("distinct usage errors each show, once (each worker's 5 or 6 times before)", async () => {
    const result = await fan([...halted, '--', fixture('usage-per-worker.js')], input, {
      env: { PER_WORKER: '1' },
    });
    expect(result.exitCode).toBe(1);
    expect(filterLines(result.stderr)).toEqual({
      "usage-per-worker: refused in worker 1 (see 'usage-per-worker --help')": 1,
      "usage-per-worker: refused in worker 2 (see 'usage-per-worker --help')": 1,
      "usage-per-worker: refused in worker 3 (see 'usage-per-worker --help')": 1,
    });
  });

  it('a bad option of mf-map under -j 4: one line', async () => {
    const result = await fan(
      ['--threads', '-j', '4', '--block', '10', '--halt', 'never', '--', 'mf-map', '--bad'],
      input,
    );
    expect(result.exitCode).toBe(1);
    expect(filterLines(result.stderr)).toEqual({
      "mf-map: unknown option '--bad' (see 'mf-map --help')": 1,
    });
  });

  // Every worker's start meets them alike: each block's thread said them again, with its worker
  // named, so that no two lines were the same (400 lines for 400 blocks).
  it('an error of setup, and a table not there, are shown once', async () => {
    const plain = await fan([...halted, '--', fixture('usage-per-worker.js')], input, {
      env: { PLAIN: '1' },
    });
    expect(filterLines(plain.stderr)).toEqual({ 'usage-per-worker: Error: setup broke': 1 });
    const table = await fan(
      [...halted, '--', 'mf-join', '--table', 'gone=/nonexistent', '--key', 'field:1'],
      input,
    );
    expect(filterLines(table.stderr)).toEqual({
      'mf-join: table /nonexistent: no such table (nothing at that path)': 1,
    });
    expect(failedWorkers(table.stderr)).toBeGreaterThan(3);
  });

  it('--tag puts the first worker that said it before the line', async () => {
    const result = await fan(
      [...halted, '-j', '1', '--tag', '--', fixture('usage-per-worker.js')],
      input,
    );
    expect(filterLines(result.stderr)).toEqual({
      "1\tusage-per-worker: refused (see 'usage-per-worker --help')": 1,
    });
  });

  it("process workers' stderr is theirs, as it comes: each says it", async () => {
    const result = await fan(
      [...halted.slice(1), '--protocol', 'manifold', '--', fixture('usage-per-worker.js')],
      input,
    );
    expect(filterLines(result.stderr)).toEqual({
      "usage-per-worker: refused (see 'usage-per-worker --help')": failedWorkers(result.stderr),
    });
    expect(failedWorkers(result.stderr)).toBeGreaterThan(3);
  });
});
