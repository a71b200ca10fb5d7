import { describe, it } from 'vitest';
import { expectProblems } from '../support/check.js';

// `input: ""` said '"input" must be a file name or a list of file names and globs' (the oneOf
// of its two forms), where the same mistake in `output` says '"output" is an empty string'.
// An empty string or list in a key of several forms is now said as in a key of one.
// A worker's `run: ""` said it twice: empty, and `"run" must be a list` (its other form).

const emptyString = /is an empty string: give it a value, or leave the key out$/;

describe('an empty input is said as an empty output is', () => {
  it('input: ""', async () => {
    await expectProblems('input: ""\nstages:\n  - run: cat\n', [
      ['""', new RegExp(`"input" ${emptyString.source}`)],
    ]);
  });

  it('an empty name in a list of inputs, at its place', async () => {
    await expectProblems('input: [present.js, ""]\nstages:\n  - run: cat\n', [
      ['""', new RegExp(`input\\[1\\] ${emptyString.source}`)],
    ]);
  });

  it('input: []', async () => {
    await expectProblems('input: []\nstages:\n  - run: cat\n', [
      ['[]', /"input" is an empty list: it needs one or more$/],
    ]);
  });

  it('a worker\'s run: "", once', async () => {
    await expectProblems('stages:\n  - fan:\n      worker: {run: ""}\n', [
      ['""', new RegExp(`"run" ${emptyString.source}`)],
    ]);
  });

  it("a worker's run: [], once", async () => {
    await expectProblems('stages:\n  - fan:\n      worker: {run: []}\n', [
      ['[]', /"run" is an empty list: it needs one or more$/],
    ]);
  });
});
