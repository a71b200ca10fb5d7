import { describe, it } from 'vitest';
import { expectProblems } from '../support/check.js';

// The commands of a config, checked as they will run: a command line of blanks runs nothing.

describe('a command line of blanks', () => {
  it("is a problem at it, as a stage, a worker and a worker pipeline's: it ran nothing, exit 0", async () => {
    const text = [
      'stages:',
      '  - run: "  "',
      '  - fan:',
      '      worker: " "',
      '  - fan:',
      '      worker:',
      '        stages:',
      '          - run: cat',
      '          - run: "\\t"',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['"  "', /a command line of blanks runs nothing$/],
      ['" "', /a command line of blanks runs nothing$/],
      ['"\\t"', /a command line of blanks runs nothing$/],
    ]);
  });

  it('an array whose program is empty says so: it said ": command not found"', async () => {
    await expectProblems('stages:\n  - run: ["", x]\n', [
      ['[""', /the program \(the array's first word\) is empty$/],
    ]);
  });
});
