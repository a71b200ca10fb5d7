import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, expectProblems, tempDir } from '../support/check.js';
import { writeConfig } from '../support/temp.js';

// A fan stage's `joblog:` is checked with the config, as its `output:` is: where it cannot be
// written is a problem at it, not a failure of the run as it starts, without a place.

describe('a joblog', () => {
  it('in a folder that does not exist, or that is a folder: it passed, and the run failed, exit 2, without a place', async () => {
    const text = [
      'stages:',
      '  - fan: {worker: cat, joblog: nodir/jobs.tsv}',
      '  - fan: {worker: cat, joblog: logs}',
      '',
    ].join('\n');
    const dir = tempDir();
    mkdirSync(join(dir, 'logs'));
    const result = await check(writeConfig(dir, text));
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n').filter((line) => line !== '')).toEqual([
      expect.stringMatching(
        /pipeline\.yaml:2:32: the folder of joblog "nodir\/jobs\.tsv" does not exist$/,
      ),
      expect.stringMatching(/pipeline\.yaml:3:32: joblog "logs" is a directory$/),
    ]);
  });

  it('that is empty is a problem, as on the command line (fan-options.test.ts): it was no job log, unsaid', async () => {
    await expectProblems('stages:\n  - fan: {worker: cat, joblog: ""}\n', [
      ['""', /joblog must name a file, or - for stderr$/],
    ]);
  });
});
