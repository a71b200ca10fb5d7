import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { joinLines } from '../support/lines.js';

// Errors a filter's code raises where nothing awaits them fail it as a thrown error does: one
// line, exit 1. Left to Node, a rejection is never heard of (the filter exits 0 first, even
// under --unhandled-rejections=strict), and a callback's exception prints Node's stack trace,
// the records done before it lost.

describe('a promise rejected with no handler', () => {
  it.each([
    ['', []],
    ['under --unhandled-rejections=strict', ['--unhandled-rejections=strict']],
  ])('fails the filter in one line, exit 1 %s', async (_, flags) => {
    const input = joinLines(['1', '2', '!reject', '4']);
    const result = await run(process.execPath, [...flags, fixture('stray.js')], input);
    expect(result.stderr).toBe('stray: unhandled rejection: Error: lost promise\n');
    expect(result.exitCode).toBe(1);
    // Which record left it cannot be known: the records read with it were done too.
    expect(result.stdout.toString()).toBe(input);
  });
});

describe('an exception thrown from a callback', () => {
  it('fails the filter in one line, exit 1, after writing the records before it', async () => {
    const result = await run(fixture('stray.js'), [], joinLines(['1', '2', '!throw', '4']));
    expect(result.stderr).toBe('stray: uncaught exception: Error: lost callback\n');
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe(joinLines(['1', '2']));
  });
});

describe("a wait on the filter's own code that a callback's exception leaves unsettled", () => {
  it.each([
    ['setup', ''],
    ['batch', ''],
    ['flush', '1\n2\n'],
  ])('in %s ends in one line, exit 1', async (where, written) => {
    const result = await run(fixture('stray-wait.js'), [], '1\n2\n', {
      env: { STRAY_IN: where },
    });
    expect(result.stderr).toBe('stray-wait: uncaught exception: Error: lost callback\n');
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe(written);
  });
});
