import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { fan, ok } from '../support/fan-run.js';
import { outcome } from '../support/pipeline.js';

// A declaration whose `records` names no kind of record (plain JavaScript has no types to catch
// 'bytes' or 'ndjson') is refused in one line, exit 2, as a process and as a thread: before, it
// silently gave text records.

const filter = fixture('records-kind.js');
const says = (kind: string) =>
  `records-kind: records is "${kind}", not one of 'buffer', 'text' or 'json' (see 'records-kind --help')`;

describe('records: a kind there is not', () => {
  it.each(['buffer', 'text', 'fn:buffer'])('%s is a kind: the filter runs', async (kind) => {
    const result = await run(filter, [kind], 'a\n');
    expect(ok(result)).toEqual({
      exitCode: 0,
      stderr: '',
    });
  });

  it.each([
    ['bytes', 'bytes'],
    ['ndjson', 'ndjson'],
    ['fn:lines', 'lines'],
  ])('%s as a process: exit 2, one line', async (kind, named) => {
    const result = await run(filter, [kind], 'a\n');
    expect(outcome(result)).toEqual({
      exitCode: 2,
      stderr: `${says(named)}\n`,
      stdout: '',
    });
  });

  it('as a thread of manifold fan --threads: the same line', async () => {
    const result = await fan(['-j', '1', '--threads', '--', filter, 'bytes'], 'a\n');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.split('\n')[0]).toBe(says('bytes'));
  });
});

describe('batch: a result that is not an array', () => {
  const says =
    'batch-not-array: stdin:1: TypeError: batch returned 7, not an array of records (in the batch of records 1-2)';

  it('as a process: one line naming the records, not "outputs is not iterable"', async () => {
    const result = await run(fixture('batch-not-array.js'), [], 'x\ny\n');
    expect(ok(result)).toEqual({
      exitCode: 1,
      stderr: `${says}\n`,
    });
  });

  it('as a thread of manifold fan --threads: the same line', async () => {
    const result = await fan(
      ['-j', '1', '--threads', '--', fixture('batch-not-array.js')],
      'x\ny\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(says);
  });
});
