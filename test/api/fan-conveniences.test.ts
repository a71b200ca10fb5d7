import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan, RunError } from '../../orchestrator/index.js';
import { sink } from '../support/sink.js';
import { tempDir } from '../support/temp.js';

// parallel's conveniences through the library: the options under the flags' camelCase names,
// resolved in the one options place with the command line's meaning.

const lines = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');

describe('fan: okStatus, header, joblog, timeout, halt', () => {
  it("okStatus: [0, 1] lets grep's 'no match' be", async () => {
    const run = (okStatus?: number[]) => {
      const output = sink();
      const done = fan(
        {
          command: ['grep', '^999$'],
          workers: 2,
          block: '1K',
          merge: 'ordered',
          ...(okStatus && { okStatus }),
        },
        { input: Readable.from([lines(2000)]), output },
      );
      return { done, output };
    };
    await expect(run().done).rejects.toThrow(/exited with status 1 on block/);
    const accepted = run([0, 1]);
    await accepted.done;
    expect(accepted.output.text()).toBe('999\n');
  });

  it('header and joblog: each block gets the header, the output has it once, a row per block', async () => {
    const log = join(tempDir('manifold-api-conv-'), 'jobs.tsv');
    const output = sink();
    const summary = await fan(
      { command: 'cat', workers: 2, block: 1024, header: 1, merge: 'ordered', joblog: log },
      { input: Readable.from([`name\n${lines(1000)}`]), output },
    );
    expect(output.text()).toBe(`name\n${lines(1000)}`);
    const rows = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(rows[0]).toMatch(/^Seq\tHost\tStarttime/);
    expect(rows).toHaveLength(1 + summary.totals.blocks);
  });

  it('timeout (seconds, or a string with a unit) and halt: a hung worker fails the run', async () => {
    const error = await fan(
      { command: 'exec sleep 1000', workers: 1, timeout: '200ms', halt: 'soon' },
      { input: Readable.from(['a\n']), output: sink() },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).failures[0]).toMatch(
      /^worker 1 \(pid \d+: exec sleep 1000\) timed out after 200ms on block 1 \(records 1-1\)$/,
    );
  });

  it.each([
    ['okStatus', { okStatus: 'x' }, /^okStatus must be exit statuses from 0 to 255/],
    ['timeout', { timeout: 0 }, /^timeout must be a duration/],
    ['header', { header: 'first' }, /^header must be a number of lines/],
    ['halt', { halt: 'soon,fail=x' }, /^halt must be now, soon or never/],
    ['joblog', { joblog: 5 }, /^joblog must be a string/],
  ])('%s: %j is refused, naming it', async (_name, settings, message) => {
    await expect(
      fan({ command: ['cat'], ...settings } as never, { input: Readable.from([]), output: sink() }),
    ).rejects.toThrow(message);
  });
});
