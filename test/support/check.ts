import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { manifold, type Result, run } from '../helpers.js';
import { escapeRegExp, nonEmptyLines } from './lines.js';
import { tempDir as makeTempDir, writeConfig } from './temp.js';

// `manifold check <config>` as its suites run it: problems are found in the config text by a
// needle, so that each case says what its position points at.

export const tempDir = () => makeTempDir('manifold-pipe-check-');

/**
 * `manifold check`, from a working directory that is not the config's folder. Found in this
 * process (`checkSaidHere`) when its only options are `--set`s, but for a config that names a
 * descriptor (`/dev/fd/3`, `/proc/self/fd/...`), which this process holds others of than the
 * executable is given: as a process then.
 */
export async function check(config: string, args: string[] = []): Promise<Result> {
  const sets = args.filter((_, i) => i % 2 === 1);
  const onlySets = args.length % 2 === 0 && args.every((arg, i) => i % 2 === 1 || arg === '--set');
  if (onlySets && !/\/dev\/|\/proc\//.test(textOf(config) ?? '/dev/'))
    return checkSaidHere(config, sets);
  return run(manifold, ['check', config, ...args], '', { cwd: tempDir(), timeout: 20_000 });
}

/** A config file's text (as bytes: only looked into), null where it is none to read. */
function textOf(config: string): string | null {
  try {
    return config === '-' ? null : readFileSync(config, 'latin1');
  } catch {
    return null;
  }
}

/** `line:column` of the `nth` occurrence of `needle` in `text` (1-based, columns in code points). */
export function at(text: string, needle: string, nth = 1): string {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" is not ${nth} times in the config`);
  }
  const before = text.slice(0, index).split('\n');
  return `${before.length}:${[...before.at(-1)!].length + 1}`;
}

/** The problem lines of stderr; the first may carry the program's name, as errors do. */
export const problemsOf = (stderr: string) => nonEmptyLines(stderr.replace(/^manifold: /, ''));

/** Each expected problem: the text it points at (its nth occurrence), and its message. */
export type Expected = [needle: string | [string, number], message: RegExp];

/**
 * What `manifold check <config>` says, and its status, found in this process by the function the
 * command runs (cli/pipeline-run.ts, `checkOnly`) and said as the executable's edge says it
 * (`failureSaid`), from a working directory that is not the config's folder, as `check` runs it.
 * check-property compares it with the process on configs drawn at random.
 */
export async function checkSaidHere(config: string, sets: string[] = []): Promise<Result> {
  const [{ checkOnly }, { failureSaid }] = await Promise.all([
    import('../../orchestrator/cli/pipeline-run.js'),
    import('../../orchestrator/cli/program.js'),
  ]);
  const before = process.cwd();
  process.chdir(tempDir());
  let checked: Promise<number>;
  try {
    // Its checks run before it returns, so in that folder (it awaits nothing).
    checked = checkOnly(config, sets);
  } finally {
    process.chdir(before);
  }
  try {
    return { exitCode: await checked, stdout: Buffer.alloc(0), stderr: '', signal: undefined };
  } catch (error) {
    const { text, status } = failureSaid(error);
    return { exitCode: status, stdout: Buffer.alloc(0), stderr: text, signal: undefined };
  }
}

/** Checks `text` as a config (`name`): exit 2 and exactly the `expected` problems, in order. */
export async function expectProblems(
  text: string,
  expected: Expected[],
  name = 'pipeline.yaml',
): Promise<void> {
  const dir = tempDir();
  writeFileSync(join(dir, 'present.js'), '');
  const file = writeConfig(dir, text, name);
  const result = await check(file);
  const wanted = expected.map(([needle, message]) => {
    const [what, nth] = typeof needle === 'string' ? [needle, 1] : needle;
    const prefix = escapeRegExp(`${file}:${at(text, what, nth)}: `);
    return expect.stringMatching(new RegExp(`^${prefix}${message.source}`));
  });
  expect({
    exitCode: result.exitCode,
    stdout: result.stdout.toString(),
    problems: problemsOf(result.stderr),
  }).toEqual({ exitCode: 2, stdout: '', problems: wanted });
}
