// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are configs' variables, not JavaScript's.
import { describe, expect, it } from 'vitest';
import { run } from '../helpers.js';
import { check, expectProblems, problemsOf, tempDir } from '../support/check.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { writeConfig } from '../support/temp.js';

// A default that is itself variables, as sh's `${A:-word}` takes them: `${A:-${B:-z}}`. Each
// case is run by `sh -uc` (whose `set -u` refuses an unset variable, as manifold does) and by
// `manifold run`, in the same environment; manifold refuses one more thing, a variable read
// without a default and set to nothing.

const unset = undefined;
type Env = { MF_A?: string; MF_B?: string };
/** [the value, the environment, what both print, or: 'unset B' | 'empty B' for manifold's refusal] */
const cases: [string, Env, string][] = [
  ['${MF_A:-${MF_B:-z}}', {}, 'z'],
  ['${MF_A:-${MF_B:-z}}', { MF_A: 'a' }, 'a'],
  ['${MF_A:-${MF_B:-z}}', { MF_B: 'b' }, 'b'],
  ['${MF_A:-${MF_B:-z}}', { MF_A: '', MF_B: 'b' }, 'b'],
  ['${MF_A:-${MF_B:-z}}', { MF_A: '', MF_B: '' }, 'z'],
  ['${MF_A:-${MF_B}}', { MF_A: 'a' }, 'a'],
  ['${MF_A:-${MF_B}}', { MF_B: 'b' }, 'b'],
  ['${MF_A:-${MF_B}}', {}, 'unset MF_B'],
  ['${MF_A:-${MF_B}}', { MF_A: '', MF_B: '' }, 'empty MF_B'],
  ['${MF_A:-pre${MF_B}post}', { MF_B: 'b' }, 'prebpost'],
  ['${MF_A:-pre${MF_B}post}', { MF_A: 'a' }, 'a'],
  ['x${MF_A:-p${MF_B:-q${MF_A:-r}s}t}y', {}, 'xpqrsty'],
  ['${MF_A:-${MF_B:-z}x}-${MF_B:-w}', { MF_B: 'b' }, 'bx-b'],
  ['${MF_A:-a\\}b}', {}, 'a}b'],
  ['${MF_A:-{x}y}', {}, '{xy}'],
  ['${MF_A:-{x}y}', { MF_A: 'a' }, 'ay}'],
];

const shPrints = (value: string, env: Env) =>
  run('sh', ['-uc', `printf '%s\\n' ${value}`], '', {
    env: { MF_A: unset, MF_B: unset, ...env },
  });

describe('a default that holds variables, as sh reads it', () => {
  it.each(cases)(
    '%s with %o: %s (a nested default was cut at its first })',
    async (value, env, expected) => {
      const refused = /^(unset|empty) (\w+)$/.exec(expected);
      const sh = await shPrints(value, env);
      if (refused?.[1] === 'unset') expect(sh.exitCode).not.toBe(0);
      else
        expect({ exitCode: sh.exitCode, stdout: sh.stdout.toString() }).toEqual({
          exitCode: 0,
          stdout: refused ? '\n' : `${expected}\n`,
        });
      // A YAML single-quoted string, so that what sh was given is what manifold reads.
      const file = writeConfig(tempDir(), `stages:\n  - run: printf '%s\\n' '${value}'\n`);
      const ran = await runConfig(file, '', { env: { MF_A: unset, MF_B: unset, ...env } as never });
      if (refused) {
        expect(ran.exitCode).toBe(2);
        expect(problemsOf(ran.stderr)).toEqual([
          expect.stringContaining(
            `\${${refused[2]}} is ${refused[1] === 'unset' ? 'not set' : 'empty'}`,
          ),
        ]);
      } else expect(outcome(ran)).toEqual({ exitCode: 0, stderr: '', stdout: `${expected}\n` });
    },
  );

  it('an unset variable within a default is said at its own ${, the outer one not', async () => {
    await expectProblems('stages:\n  - run: echo ${MF_A:-x${MF_B}}\n', [
      ['${MF_B}', /\$\{MF_B\} is not set: set it in the environment/],
    ]);
  });
});

describe('a default not closed, or holding what manifold does not read', () => {
  it.each([
    ['${MF_A:-${MF_B:-z}', '${MF_A', /\$\{MF_A:- has no closing \}/],
    ['${MF_A:-${MF_B:-z', '${MF_B', /\$\{MF_B:- has no closing \}/],
    ['echo ${MF_A:-x\\}', '${MF_A', /\$\{MF_A:- has no closing \}/],
    ['${MF_A:-${#MF_B}}', '${#', /a default holds \$\{#\.\.\.: within one, manifold reads only/],
    ['${MF_A:-${MF_B:=z}}', '${MF_B', /a default holds \$\{MF_B:\.\.\./],
  ])(
    '%s: one problem at %s (it was run, cut or passed on as written)',
    async (value, needle, message) => {
      await expectProblems(`stages:\n  - run: 'echo ${value}'\n`, [[needle, message]]);
    },
  );

  it('is one line naming the config, line and column, exit 2, with run too', async () => {
    const file = writeConfig(tempDir(), 'stages:\n  - run: cat\n  - run: echo ${MF_A:-${MF_B}\n');
    const ran = await runConfig(file, '');
    expect(outcome(ran)).toEqual({
      exitCode: 2,
      stderr: `${file}:3:15: \${MF_A:- has no closing }: a default ends at the first } that closes no \${ within it (write \\} for a } in it)\n`,
      stdout: '',
    });
    expect((await check(file)).stderr).toBe(ran.stderr);
  });

  it.each([
    ['a flow map', 'stages:\n  - fan: {workers: ${W}, worker: cat}\n'],
    ['a flow list', 'stages:\n  - run: [echo, ${W:-x}, b]\n'],
  ])(
    "an unquoted ${W} within %s: one problem at its $ (it was YAML's cascade, 7 lines)",
    async (_, text) => {
      await expectProblems(text, [
        [
          '${W',
          /a \$\{\.\.\.\} within \{ \} or \[ \] needs quotes \("\$\{W\}"\): YAML reads its \{ as the start of a map$/,
        ],
      ]);
    },
  );

  it('other ${...} forms outside a default are left for the shell, as before', async () => {
    const file = writeConfig(tempDir(), "stages:\n  - run: 'X=abc; echo ${#X} ${X%c} $${X}'\n");
    expect(outcome(await runConfig(file, ''))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '3 ab abc\n',
    });
  });
});

describe("the config's env, as ${NAME} reads it", () => {
  // As sh reads `A=x; echo ${A}`: ${A} was read from manifold's environment only, so with
  // `env: {A: x}` it was "not set", or the environment's other value while the processes got x.
  const text = (more = '') =>
    `env:\n  A: x\n  PATHS: "\${MF_OUTER}/bin"\n${more}stages:\n  - run: printf '%s %s\\n' \${A} \${PATHS}\n`;

  it('sees its values, over the environment, which its own values may read', async () => {
    const config = writeConfig(tempDir(), text());
    const result = await runConfig(config, '', { env: { A: 'y', MF_OUTER: '/o' } });
    expect(outcome(result)).toEqual({ exitCode: 0, stdout: 'x /o/bin\n', stderr: '' });
  });

  // Each as the processes see it (`$B` read by the shell beside `${B}` read by manifold).
  it.each([
    [
      'reads a number as written, as the processes get it',
      'env: {Z: 007}',
      'echo ${Z} $Z',
      '007 007',
    ],
    [
      'sees values merged into it (<<: *base), as the processes do',
      'x-base: &b {B: b}\nenv: {<<: *b, A: a}',
      'echo ${A} ${B} $B',
      'a b b',
    ],
    ['sees them when env is an alias (env: *e)', 'x-e: &e {A: a}\nenv: *e', 'echo ${A} $A', 'a a'],
  ])('%s', async (_name, env, command, stdout) => {
    const config = writeConfig(tempDir(), `${env}\nstages:\n  - run: ${command}\n`);
    const result = await runConfig(config);
    expect(outcome(result)).toEqual({ exitCode: 0, stdout: `${stdout}\n`, stderr: '' });
  });

  it('is what --set changes through ${A:-x}, the same for the processes', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      'env:\n  A: "${A:-x}"\nstages:\n  - run: printf \'%s %s\\n\' ${A} "$A"\n',
    );
    const result = await runConfig(config, '', { args: ['--set', 'A=z'] });
    expect(outcome(result)).toEqual({ exitCode: 0, stdout: 'z z\n', stderr: '' });
  });
});
