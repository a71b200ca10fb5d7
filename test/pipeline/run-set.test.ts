// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are configs' variables, not JavaScript's.
import { describe, expect, it } from 'vitest';
import { check, tempDir } from '../support/check.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { writeConfig } from '../support/temp.js';

// --set NAME=VALUE: a NAME that no ${NAME} can spell is a usage error naming the --set value,
// for run and check alike, before anything runs.

const config = () => writeConfig(tempDir(), 'stages:\n  - run: cat\n');

describe('--set with a name that is no variable name', () => {
  it.each([
    ['A B=x', "'A B=x'", "'A B'"],
    ['1A=x', '1A=x', '1A'],
    ['A-B=x', 'A-B=x', 'A-B'],
    ['A.B=x', 'A.B=x', 'A.B'],
  ])(
    '--set %s: exit 2, one line naming it, quoted as a shell would (it was accepted, exit 0)',
    async (value, shown, name) => {
      const file = config();
      const [ran, checked] = await Promise.all([
        runConfig(file, 'x\n', { args: ['--set', value] }),
        check(file, ['--set', value]),
      ]);
      const line = `manifold: --set ${shown}: ${name} is not a variable name (letters, digits and _, not first a digit)\n`;
      expect(outcome(ran)).toEqual({ exitCode: 2, stderr: line, stdout: '' });
      expect(outcome(checked)).toEqual({ exitCode: 2, stderr: line, stdout: '' });
    },
  );

  it('--set __proto__=x sets ${__proto__}: it was lost, "${__proto__} is not set", exit 2', async () => {
    const file = writeConfig(tempDir(), 'stages:\n  - run: echo ${__proto__} ${A}\n');
    const ran = await runConfig(file, '', { args: ['--set', '__proto__=x', '--set', 'A=1'] });
    expect(outcome(ran)).toEqual({ exitCode: 0, stderr: '', stdout: 'x 1\n' });
  });

  it('a name of letters, digits and _ is taken, as before', async () => {
    const file = writeConfig(tempDir(), `stages:\n  - run: echo \${_A1}\n`);
    const ran = await runConfig(file, '', { args: ['--set', '_A1=x y'] });
    expect(outcome(ran)).toEqual({ exitCode: 0, stderr: '', stdout: 'x y\n' });
  });
});
