import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FanCase } from './fan-case.js';
import { problemsOf } from './fan-check.js';
import { assertFanProperty } from './property.js';

// The property runner runs every case it is asked for, however slow the machine, and reports
// a failure however short its time limit: a limit cut the runs short, and a property that ran
// no case at all passed, quietly. A time limit of 1 ms stands for a machine too busy for it.

const small: FanCase = {
  framing: 'lines',
  records: ['a', 'b', 'c'].map((record) => Buffer.from(record)),
  finalDelimiter: true,
  cuts: [],
  block: 2,
  workers: 1,
  dispatch: 'ready',
  merge: 'ordered',
  attribution: 'none',
  retries: 0,
  halt: 'now',
  crash: false,
  failAtEnd: false,
  outPiece: 0,
};

const options = { offset: 0, numRuns: 3, timeLimitMs: 1 };

/**
 * The message of a property that failed. A failure keeps its case's input in a folder of its
 * own, which the message names for the command that reruns it: it must be there, and the test
 * removes it, as a failure in earnest would leave it for whoever reads the message.
 */
async function failureOf(property: Promise<void>): Promise<string> {
  const error: unknown = await property.then(
    () => new Error('the property passed'),
    (thrown: unknown) => thrown,
  );
  const message = error instanceof Error ? error.message : String(error);
  const dir = message.match(/\/\S*manifold-prop-case-[A-Za-z0-9]+/)?.[0];
  expect(dir, message).toBeDefined();
  expect(dir!.startsWith(join(tmpdir(), 'manifold-prop-case-')), message).toBe(true);
  expect(existsSync(join(dir!, 'input')), message).toBe(true);
  rmSync(dir!, { recursive: true, force: true });
  return message;
}

describe('assertFanProperty', () => {
  it('runs every case it is asked for, however short its time limit', async () => {
    let ran = 0;
    const check = (c: FanCase, result: Parameters<typeof problemsOf>[1]) => {
      ran++;
      return problemsOf(c, result);
    };
    await assertFanProperty('every case', fc.constant(small), check, options);
    expect(ran).toBe(3);
  }, 60_000);

  it('reports a property that fails on every case, however short its time limit', async () => {
    const property = assertFanProperty('always failing', fc.constant(small), () => ['no'], options);
    expect(await failureOf(property)).toMatch(
      /^property "always failing" failed \(seed \d+: .*\n {2}no\n/,
    );
  }, 60_000);

  it('stops shrinking at its time limit: the smallest failure found stands, and says so', async () => {
    const records = (n: number) => Array.from({ length: n }, () => Buffer.from('a'));
    const cases = fc.integer({ min: 2, max: 1000 }).map((n) => ({ ...small, records: records(n) }));
    const property = assertFanProperty('shrinking', cases, () => ['no'], {
      ...options,
      numRuns: 1,
      timeLimitMs: 0,
    });
    expect(await failureOf(property)).toMatch(
      /; 1 runs, 0 shrinks, shrinking cut short by the time limit\)/,
    );
  }, 60_000);
});
