import { describe, it } from 'vitest';
import { expectProblems, tempDir } from '../support/check.js';
import { builtTable, TSV_BY_FIELD_1 } from '../support/tables.js';

// A bad value is said, and leaves out the checks that would read it (docs/config.md,
// Checking): each case below added a second problem, made of the bad value (QA).

describe('a bad value is said alone, not with what reading it would make', () => {
  it("a bad table name is said at it, not again at every fan in the command line's form", async () => {
    const table = await builtTable(tempDir(), 'users', 'u1\tAda\n', TSV_BY_FIELD_1);
    for (const name of ['""', '"a=b"']) {
      await expectProblems(
        `tables:\n  ${name}: ${table}\nstages:\n  - fan:\n      worker: cat\n  - fan:\n      worker: cat\n`,
        [[name, /a name in "tables" \(".*"\) may hold only letters, digits, _ \. and -$/]],
      );
    }
  });

  it('a use: of the wrong type makes no stages, whose names it would take twice', async () => {
    const text = [
      'pipelines:',
      '  up:',
      '    - name: s',
      '      run: [tr, a-z, A-Z]',
      'stages:',
      '  - use: up',
      '  - use: [up]',
      '',
    ].join('\n');
    await expectProblems(text, [['[up]', /"use" must be a string$/]]);
  });
});
