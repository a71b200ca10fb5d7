import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { linesOf, numbered } from '../support/lines.js';
import { tempDir } from '../support/temp.js';

// A filter's error that nothing awaits (a rejection left unhandled, a callback's exception)
// fails the block it came in, as a thread and as a process alike, so --retries runs it again.
// A thread's was reported as "threw" with no block, or (a rejection) never heard of as a process.

/** 100 lines, `bad`, 100 more: the bad one is record 101. */
const withBad = (bad: string) => `${numbered(1, 100)}${bad}\n${numbered(101, 200)}`;

/** A stderr with the worker's id (pid or thread) and its kind left out, to compare shapes. */
const shape = (stderr: string) => stderr.replace(/\((pid|thread) \d+: (node )?\S+/g, '(<id>');

const args = ['-j', '1', '--block', '300', '--merge', 'ordered'];

describe.each([
  ['!reject', 'unhandled rejection: Error: lost promise'],
  ['!throw', 'uncaught exception: Error: lost callback'],
])('a filter leaving %s', (bad, message) => {
  it('fails the block of the record as a thread and as a process, in the same lines', async () => {
    const input = withBad(bad);
    const thread = await fan([...args, '--threads', '--', fixture('stray.js')], input);
    const process = await fan(
      [...args, '--protocol', 'manifold', '--', 'node', fixture('stray.js')],
      input,
    );
    const [first, second, ...rest] = thread.stderr.split('\n');
    expect(first).toBe(`stray: worker 1: ${message}`);
    const block =
      /^manifold: worker 1 \(thread \d+: \S+stray\.js --protocol manifold --split lines\) exited with status 1 on block \d+ \(records (\d+)-(\d+)\)$/.exec(
        second!,
      );
    expect(block).not.toBeNull();
    expect(Number(block![1])).toBeLessThanOrEqual(101);
    expect(Number(block![2])).toBeGreaterThanOrEqual(101);
    expect(rest).toEqual(['']);
    expect(thread.exitCode).toBe(1);
    expect(shape(thread.stderr)).toBe(shape(process.stderr));
    expect(process.exitCode).toBe(1);
    expect(thread.stdout.equals(process.stdout)).toBe(true);
    // Under --halt now nothing after the failed block; of it, the records finished before.
    expect(linesOf(thread.stdout)).toEqual(
      linesOf(numbered(1, 100)).concat(bad === '!reject' ? [bad] : []),
    );
  });

  it('--retries runs the block again, and the output is whole', async () => {
    const input = withBad(bad);
    const result = await fan(
      [...args, '--threads', '--retries', '1', '--', fixture('stray.js')],
      input,
      { env: { FLAKY_DIR: tempDir() } },
    );
    expect(result.stderr).toBe(`stray: worker 1: ${message}\n`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toBe(input);
  });
});
